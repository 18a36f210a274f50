package org.experimenter.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.RunOptions;
import org.experimenter.config.ExperimentConfig;

/**
 * A driver of its own for {@link ResourceProfileLocalClusterTest}: a session as {@code experimenter
 * run} opens it for the first config, then for each config in turn a job of 8 tasks of 500 ms that
 * asks for nothing and a run whose open rows Spark reads (its JDBC source, so the read is a stage
 * of its own). Every stage is watched and written to a file, one line each: {@code <stage id>
 * rp=<profile id> tasks=<n> most=<most at once> job=<description>}; a config's stages are those from
 * its job {@code plain} up to the next config's. Arguments: the file, then pairs of a config and the
 * stage to run or {@code all}; the configs share the session's settings (master, spark.conf).
 */
final class ProfileRun {
    private ProfileRun() {}

    public static void main(String[] args) throws Exception {
        List<Experimenter> exs = new ArrayList<>();
        List<Integer> stages = new ArrayList<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            exs.add(Experimenter.load(Path.of(args[i])));
            stages.add(args[i + 1].equals("all") ? null : Integer.valueOf(args[i + 1]));
        }
        Map<String, String> settings = settings(exs.get(0).config(), stages.get(0));
        for (int i = 1; i < exs.size(); i++) {
            if (!settings(exs.get(i).config(), stages.get(i)).equals(settings)) {
                throw new IllegalArgumentException(args[2 * i + 1] + ": its session would differ from the first's");
            }
        }
        SparkSession.Builder b =
                SparkSession.builder().master(exs.get(0).config().sparkMaster()).appName("profile-run");
        for (Map.Entry<String, String> e : settings.entrySet()) {
            b = b.config(e.getKey(), e.getValue());
        }
        SparkSession spark = b.getOrCreate();
        Watch watch = new Watch();
        spark.sparkContext().addSparkListener(watch);
        try {
            for (int i = 0; i < exs.size(); i++) {
                Experimenter ex = exs.get(i);
                Integer stage = stages.get(i);
                spark.sparkContext().setJobDescription("plain");
                JavaSparkContext.fromSparkContext(spark.sparkContext())
                        .parallelize(List.of(1, 2, 3, 4, 5, 6, 7, 8), 8)
                        .foreach(n -> Thread.sleep(500));
                spark.sparkContext().setJobDescription(null);
                // 0: every open row is read through Spark's JDBC source, in a stage before the one that runs them
                System.out.print(new RunJob(spark, ex.config().forStage(stage), 0)
                        .run(ex.experimentFromConfig(), RunOptions.all().stage(stage)));
            }
        } finally {
            spark.stop();
        }
        Files.write(Path.of(args[0]), watch.lines());
    }

    /** The session's settings as {@code experimenter run} makes them for this config and stage. */
    private static Map<String, String> settings(ExperimentConfig config, Integer stage) {
        Map<String, String> out = new LinkedHashMap<>(
                TaskResources.sparkDefaults(config.forStage(stage).resources().base(), config.sparkMaster()));
        out.putAll(config.sparkConf());
        return out;
    }

    /**
     * Per stage: its resource profile, its tasks, and the most of them running at once. A task's
     * time is from its launch to its launch plus the executor's deserialize and run times, which
     * ends no later than the slot was free again (the driver marks a task finished only after it
     * may have launched the next on its slot, and listener events come later still).
     */
    static final class Watch extends SparkListener {
        private final Map<Integer, String> jobs = new HashMap<>();
        private final Map<Integer, List<long[]>> times = new HashMap<>();
        private final List<String> lines = new ArrayList<>();

        @Override
        public synchronized void onStageSubmitted(SparkListenerStageSubmitted s) {
            String job = s.properties() == null ? null : s.properties().getProperty("spark.job.description");
            jobs.put(s.stageInfo().stageId(), job == null ? "-" : job.split(":")[0]);
        }

        @Override
        public synchronized void onTaskEnd(SparkListenerTaskEnd t) {
            long start = t.taskInfo().launchTime();
            long busy = t.taskMetrics() == null
                    ? 0
                    : t.taskMetrics().executorDeserializeTime()
                            + t.taskMetrics().executorRunTime();
            times.computeIfAbsent(t.stageId(), k -> new ArrayList<>()).add(new long[] {start, start + busy});
        }

        @Override
        public synchronized void onStageCompleted(SparkListenerStageCompleted s) {
            int id = s.stageInfo().stageId();
            List<long[]> tasks = times.getOrDefault(id, List.of());
            int most = 0;
            for (long[] a : tasks) {
                int atOnce = 0;
                for (long[] b : tasks) {
                    if (b[0] <= a[0] && a[0] < b[1]) {
                        atOnce++;
                    }
                }
                most = Math.max(most, atOnce);
            }
            lines.add(id + " rp=" + s.stageInfo().resourceProfileId() + " tasks=" + tasks.size() + " most=" + most
                    + " job=" + jobs.getOrDefault(id, "-"));
        }

        synchronized List<String> lines() {
            return new ArrayList<>(lines);
        }
    }
}
