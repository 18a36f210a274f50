package org.experimenter.example;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;

/**
 * The example experiment: k-nearest-neighbours classification of a small data set shipped in
 * the jar ({@code datasets/<dataset>.csv}), with a train/test split drawn from the seed.
 * Keyfields: dataset (string), k (int), seed (int), optionally train_rows (int: train on the first
 * n rows only, a budget for successive halving); custom: test-fraction. Results: accuracy,
 * train_size, test_size.
 */
public final class KnnExperiment implements Experiment {
    private static final long serialVersionUID = 1L;

    @Override
    public void run(ExperimentContext ctx) throws IOException {
        String dataset = ctx.parameters().getString("dataset");
        int k = ctx.parameters().getInt("k");
        long seed = ctx.parameters().getLong("seed");
        double testFraction =
                ctx.custom().hasPath("test-fraction") ? ctx.custom().getDouble("test-fraction") : 0.3;

        List<double[]> rows = load(dataset);
        Collections.shuffle(rows, new Random(seed));
        int testSize = (int) Math.round(rows.size() * testFraction);
        List<double[]> test = rows.subList(0, testSize);
        List<double[]> train = rows.subList(testSize, rows.size());
        if (ctx.parameters().asMap().containsKey("train_rows")) {
            // a budget keyfield for successive halving (conf/knn-halving.conf): the first n training rows
            train = train.subList(0, Math.min(train.size(), ctx.parameters().getInt("train_rows")));
        }

        int correct = 0;
        for (double[] t : test) {
            if (predict(train, t, k) == (int) t[t.length - 1]) {
                correct++;
            }
        }
        ctx.results()
                .put("accuracy", (double) correct / test.size())
                .put("train_size", train.size())
                .put("test_size", test.size());
    }

    private static int predict(List<double[]> train, double[] x, int k) {
        int features = x.length - 1;
        double[] dist = new double[train.size()];
        Integer[] order = new Integer[train.size()];
        for (int i = 0; i < train.size(); i++) {
            double[] r = train.get(i);
            double d = 0;
            for (int j = 0; j < features; j++) {
                d += (r[j] - x[j]) * (r[j] - x[j]);
            }
            dist[i] = d;
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(dist[a], dist[b]));
        int[] votes = new int[16];
        int best = 0;
        for (int i = 0; i < Math.min(k, order.length); i++) {
            int label = (int) train.get(order[i])[features];
            votes[label]++;
            // ties go to the class of the nearer neighbour, which reached the count first
            if (votes[label] > votes[best]) {
                best = label;
            }
        }
        return best;
    }

    private static List<double[]> load(String dataset) throws IOException {
        String resource = "/datasets/" + dataset + ".csv";
        InputStream in = KnnExperiment.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("no data set '" + dataset + "' (looked for " + resource + " in the jar)");
        }
        List<double[]> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            r.readLine();
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    rows.add(Arrays.stream(line.split(","))
                            .mapToDouble(Double::parseDouble)
                            .toArray());
                }
            }
        }
        return rows;
    }
}
