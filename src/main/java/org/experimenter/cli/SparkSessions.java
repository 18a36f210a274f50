package org.experimenter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.config.Resources;
import org.experimenter.spark.TaskResources;

/** The Spark session of the commands that need one, set up from the experiment's config. */
final class SparkSessions {
    private SparkSessions() {}

    /** A session with the config's master and settings; spark-submit's master and app name win. */
    static SparkSession open(ExperimentConfig c) {
        return open(c, Map.of());
    }

    /** The master a session of this config gets: spark-submit's, else the config's. */
    static String master(ExperimentConfig c) {
        SparkConf conf = new SparkConf();
        return conf.contains("spark.master") ? conf.get("spark.master") : c.sparkMaster();
    }

    /** The same with defaults of a command's own, which the config's spark.conf overrides. */
    static SparkSession open(ExperimentConfig c, Map<String, String> defaults) {
        return open(c, TaskResources.withoutRows(c.resources().base(), master(c)), defaults);
    }

    /**
     * A session for a run of a stage (null: every stage) whose executors must have room for its
     * rows; refused before Spark starts when the rows cannot run on its master.
     */
    static SparkSession forRun(ExperimentConfig c, Integer stage) {
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.task.cpus") && !c.sparkConf().containsKey("spark.task.cpus")) {
            TaskResources.checkLocalCores(c, stage, master(c));
        }
        return open(c, c.sessionResources(stage), Map.of());
    }

    private static SparkSession open(ExperimentConfig c, Resources rows, Map<String, String> defaults) {
        SparkConf conf = new SparkConf();
        SparkSession.Builder b = SparkSession.builder();
        if (!conf.contains("spark.master")) {
            b = b.master(c.sparkMaster());
        }
        if (!conf.contains("spark.app.name")) {
            b = b.appName(c.sparkAppName() + ": " + c.table());
        }
        b = b.config("spark.sql.session.timeZone", "UTC").config("spark.ui.showConsoleProgress", "false");
        if (!conf.contains("spark.master") && c.sparkMaster().startsWith("local")) {
            // a short job on this machine: no web UI to start, few shuffle partitions (the config's
            // spark.conf, below, still wins; spark-submit's settings are left alone)
            int partitions = Math.max(8, 2 * Runtime.getRuntime().availableProcessors());
            b = b.config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", Integer.toString(partitions));
        }
        // the rows' GPUs and cores as Spark task requests, unless the config or spark-submit says otherwise
        String master = master(c);
        Map<String, String> all = new LinkedHashMap<>(TaskResources.sparkDefaults(rows, master));
        all.putAll(defaults);
        for (Map.Entry<String, String> e : all.entrySet()) {
            if (!conf.contains(e.getKey())) {
                b = b.config(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, String> e : c.sparkConf().entrySet()) {
            b = b.config(e.getKey(), e.getValue());
        }
        SparkSession session = b.getOrCreate();
        markStarted();
        return session;
    }

    /** The commands that open a Spark session. */
    static final java.util.Set<String> COMMANDS =
            java.util.Set.of("run", "eval", "compare", "report", "sql", "plot", "export", "serve");

    /**
     * Starts, on a thread of its own, what every Spark session needs first and what depends on
     * nothing of the command: Scala's runtime reflection (about a second of one core, which a
     * session's start otherwise spends before anything else), while the command line is parsed,
     * the config read and the grid filled. The session then finds it made, or waits for it.
     */
    static void warmUp() {
        Thread t = new Thread(
                () -> {
                    try {
                        scala.reflect.runtime.package$.MODULE$.universe();
                    } catch (Throwable e) {
                        // the session makes it itself, and says so if it cannot
                    }
                },
                "experimenter-spark-warmup");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Touches the file that {@code -Dexperimenter.spark-started} names, if any: scripts/experimenter
     * keeps the class-data-sharing archive a command writes at exit only when the command started
     * Spark and succeeded (a run with nothing to do, or a typo in an option, loads too few classes
     * to be worth one).
     */
    private static void markStarted() {
        String marker = System.getProperty("experimenter.spark-started");
        if (marker != null) {
            try {
                Files.writeString(Path.of(marker), "");
            } catch (IOException e) {
                // the archive is then not kept; nothing else depends on the marker
            }
        }
    }
}
