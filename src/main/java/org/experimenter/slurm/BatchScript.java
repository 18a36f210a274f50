package org.experimenter.slurm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The sbatch script of a {@link SlurmJob}: {@code #SBATCH} lines, two settings (the tool's
 * checkout and the config, single-quoted) and a fixed part, the same for every job
 * ({@code batch-body.sh} beside this class), which starts Spark in the allocation and runs the
 * grid. No text of the user's reaches the shell code: the paths are quoted values of variables
 * the fixed part reads, the #SBATCH values were checked by {@link SlurmJob}.
 */
public final class BatchScript {
    private BatchScript() {}

    public static String render(SlurmJob job) {
        StringBuilder s = new StringBuilder();
        s.append("#!/usr/bin/env bash\n");
        s.append("# Written by `experimenter slurm run`; a template for sbatch too (docs/slurm.md):\n");
        s.append("# edit the #SBATCH lines and the two settings below, then `sbatch this-file`.\n");
        for (String line : sbatchLines(job)) {
            s.append("#SBATCH ").append(line).append('\n');
        }
        s.append('\n').append(settings(job)).append('\n');
        s.append(body());
        return s.toString();
    }

    /** The #SBATCH options, one per line. */
    static List<String> sbatchLines(SlurmJob job) {
        List<String> l = new ArrayList<>();
        l.add("--job-name=" + job.name());
        l.add("--nodes=" + job.nodes());
        l.add("--ntasks-per-node=1");
        if (job.cpusPerNode() != null) {
            // the batch script and the worker share each node's CPUs; with one task per node these are the node's
            l.add("--cpus-per-task=" + job.cpusPerNode());
        }
        if (job.gpusPerNode() != null) {
            l.add("--gpus-per-node=" + job.gpusPerNode());
        }
        if (job.time() != null) {
            l.add("--time=" + job.time());
        }
        if (job.partition() != null) {
            l.add("--partition=" + job.partition());
        }
        // SIGTERM to the batch shell alone, this long before the time limit: the run stops gracefully
        l.add("--signal=B:TERM@" + job.graceSeconds());
        // a requeued job appends to the same output file
        l.add("--open-mode=append");
        l.addAll(job.sbatchOptions());
        return l;
    }

    /** The settings block: shell assignments of single-quoted values. */
    static String settings(SlurmJob job) {
        return "# the tool's checkout (on a disk every node sees) and the experiment's config\n"
                + "EXPERIMENTER_HOME=" + quote(job.home().toString()) + "\n"
                + "EXPERIMENTER_CONFIG=" + quote(job.config().toString()) + "\n";
    }

    /**
     * A shell word that is exactly s: single quotes, each ' in s written as '\'' (closing quote,
     * an escaped quote, opening quote). Nothing inside single quotes is expanded, newlines included.
     */
    public static String quote(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a shell word cannot hold a NUL character");
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    static String body() {
        try (InputStream in = BatchScript.class.getResourceAsStream("batch-body.sh")) {
            if (in == null) {
                throw new IllegalStateException("batch-body.sh is missing from the jar; this is a bug");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
