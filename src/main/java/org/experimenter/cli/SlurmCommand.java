package org.experimenter.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.experimenter.ExperimenterException;
import org.experimenter.config.DatabaseKind;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.slurm.BatchScript;
import org.experimenter.slurm.Hostlist;
import org.experimenter.slurm.SlurmClient;
import org.experimenter.slurm.SlurmJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code experimenter slurm run|status|cancel|hostnames}: the grid on a Spark cluster started
 * inside a Slurm allocation (docs/slurm.md).
 */
@Command(
        name = "slurm",
        description = "Run the grid on Spark inside a Slurm allocation (sbatch), list or cancel such jobs.",
        subcommands = {
            SlurmCommand.Run.class,
            SlurmCommand.Status.class,
            SlurmCommand.Cancel.class,
            SlurmCommand.Hostnames.class
        })
final class SlurmCommand implements Callable<Integer> {
    static final String JOB_PREFIX = "experimenter-";

    @Override
    public Integer call() {
        new picocli.CommandLine(this).usage(System.out);
        return 2;
    }

    static String jobName(ExperimentConfig c) {
        return JOB_PREFIX + c.table();
    }

    @Command(
            name = "run",
            description = "Write an sbatch script that starts a Spark master and a worker per node, runs the grid"
                    + " and stops the cluster, and submit it. Options after -- go into the script as #SBATCH lines.")
    static final class Run implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(
                names = {"-N", "--nodes"},
                description = "Nodes (default 1).")
        int nodes = 1;

        @Option(names = "--cpus-per-node", description = "CPUs per node (default: Slurm's).")
        Integer cpusPerNode;

        @Option(names = "--gpus-per-node", description = "GPUs per node (default: none).")
        Integer gpusPerNode;

        @Option(
                names = {"-t", "--time"},
                description = "Time limit, e.g. 4:00:00 (default: the partition's).")
        String time;

        @Option(
                names = {"-p", "--partition"},
                description = "Partition (default: the cluster's default).")
        String partition;

        @Option(
                names = "--grace",
                description = "Seconds before the time limit at which the run is told to stop"
                        + " (default: the config's shutdown-grace + 60).")
        Integer grace;

        @Option(
                names = {"-J", "--job-name"},
                description = "The job's name (default: experimenter-<table>).")
        String jobName;

        @Option(
                names = "--script",
                description = "Where to write the script (default: experimenter-<table>.sbatch here).")
        Path script;

        @Option(names = "--print", description = "Write the script to standard output; submit nothing.")
        boolean print;

        @Parameters(paramLabel = "SBATCH_OPTION", description = "sbatch options, after --, e.g. -- --requeue")
        List<String> sbatchOptions = new ArrayList<>();

        @Override
        public Integer call() {
            Path config = ConfigFile.resolve(common.config).toAbsolutePath().normalize();
            ExperimentConfig c = common.experimenter().config();
            String home = System.getProperty("experimenter.home");
            if (home == null) {
                throw new ExperimenterException(
                        "slurm run: the tool's folder is unknown; run it as scripts/experimenter slurm run ...");
            }
            checkSqlitePath(c, config);
            int graceSeconds = grace != null
                    ? grace
                    : (int) Math.min(65535, c.shutdownGrace().toSeconds() + 60);
            SlurmJob job = new SlurmJob(
                    Path.of(home).toAbsolutePath().normalize(),
                    config,
                    jobName != null ? jobName : jobName(c),
                    nodes,
                    cpusPerNode,
                    gpusPerNode,
                    time,
                    partition,
                    graceSeconds,
                    sbatchOptions);
            String text = BatchScript.render(job);
            if (print) {
                System.out.print(text);
                return 0;
            }
            if (nodes > 1 && c.url().startsWith(DatabaseKind.SQLITE.urlPrefix())) {
                System.err.println("slurm run: warning: " + c.table() + " is in a SQLite file, which only executors"
                        + " on one machine can share; use PostgreSQL or MariaDB for several nodes");
            }
            Path file = script != null ? script : Path.of(job.name() + ".sbatch");
            try {
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("slurm run: cannot write " + file, e);
            }
            String id = SlurmClient.submit(file);
            System.out.println("slurm run: submitted job " + id + " (" + job.name() + ", script " + file
                    + "); its output goes to slurm-" + id + ".out, Spark's logs to experimenter-slurm-" + id
                    + "-0/ here; watch it with: experimenter slurm status -c " + common.config);
            return 0;
        }
    }

    /**
     * Executors of a standalone cluster run in folders of their own, where a relative SQLite path
     * names another file than the driver's: refused before anything is submitted.
     */
    static void checkSqlitePath(ExperimentConfig c, Path config) {
        String prefix = DatabaseKind.SQLITE.urlPrefix();
        if (!c.url().startsWith(prefix)) {
            return;
        }
        String file = c.url().substring(prefix.length());
        int q = file.indexOf('?');
        file = q < 0 ? file : file.substring(0, q);
        if (!file.isEmpty()
                && !file.startsWith("file:")
                && !file.equals(":memory:")
                && !Path.of(file).isAbsolute()) {
            throw new ExperimenterException(config + ": database.url: the SQLite file " + file
                    + " is a relative path, which the job's executors (each in a folder of its own) would"
                    + " read as another file; give an absolute path, e.g. jdbc:sqlite:"
                    + Path.of(file).toAbsolutePath().normalize());
        }
    }

    @Command(
            name = "status",
            description = "List the Slurm jobs of this config's table (all the tool's jobs without -c).")
    static final class Status implements Callable<Integer> {
        @Option(
                names = {"-c", "--config"},
                description = "The experiment's config: only its table's jobs.")
        Path config;

        @Override
        public Integer call() {
            String name = config == null
                    ? JOB_PREFIX + "*"
                    : jobName(org.experimenter.Experimenter.load(ConfigFile.resolve(config))
                            .config());
            List<SlurmClient.Job> jobs = SlurmClient.jobs(name);
            if (jobs.isEmpty()) {
                System.out.println("slurm status: no job named " + name + " is pending or running");
                return 0;
            }
            System.out.printf(
                    "%-10s %-30s %-10s %-10s %-10s %-5s %s%n",
                    "JOBID", "NAME", "STATE", "TIME", "LIMIT", "NODES", "NODELIST(REASON)");
            for (SlurmClient.Job j : jobs) {
                System.out.printf(
                        "%-10s %-30s %-10s %-10s %-10s %-5s %s%n",
                        j.id(), j.name(), j.state(), j.time(), j.limit(), j.nodes(), j.where());
            }
            return 0;
        }
    }

    @Command(
            name = "cancel",
            description = "Stop jobs: the given ids, or all jobs of the config's table. A running job's batch shell"
                    + " gets SIGTERM: the run stops gracefully while its executors are still there, then the job ends."
                    + " With --now, or for a job not running yet, scancel.")
    static final class Cancel implements Callable<Integer> {
        @Option(
                names = "--now",
                description = "scancel at once: every process of the job gets SIGTERM (SIGKILL after the cluster's"
                        + " KillWait); rows held by executors that end first go back to created when their lease"
                        + " expires.")
        boolean now;

        @Option(
                names = {"-c", "--config"},
                description = "Cancel every job of this config's table.")
        Path config;

        @Parameters(paramLabel = "JOBID", description = "Job ids.")
        List<String> ids = new ArrayList<>();

        @Override
        public Integer call() {
            List<String> targets = new ArrayList<>(ids);
            for (String id : targets) {
                SlurmClient.checkJobId(id);
            }
            if (config != null) {
                String name = jobName(org.experimenter.Experimenter.load(ConfigFile.resolve(config))
                        .config());
                for (SlurmClient.Job j : SlurmClient.jobs(name)) {
                    targets.add(j.id());
                }
            } else if (ids.isEmpty()) {
                throw new ExperimenterException("slurm cancel: give job ids or --config");
            }
            if (targets.isEmpty()) {
                System.out.println("slurm cancel: no job to cancel");
            }
            for (String id : targets) {
                System.out.println(
                        SlurmClient.cancel(id, now)
                                ? "slurm cancel: job " + id + " stops gracefully (SIGTERM to its batch shell); it ends"
                                        + " once the run has stopped"
                                : "slurm cancel: cancelled job " + id);
            }
            return 0;
        }
    }

    @Command(
            name = "hostnames",
            description =
                    "Print the host names of a Slurm hostlist (c[1-3,5],d7), one a line, as scontrol show hostnames.")
    static final class Hostnames implements Callable<Integer> {
        @Parameters(paramLabel = "HOSTLIST", description = "e.g. \"$SLURM_JOB_NODELIST\"")
        String hostlist;

        @Override
        public Integer call() {
            for (String h : Hostlist.expand(hostlist)) {
                System.out.println(h);
            }
            return 0;
        }
    }
}
