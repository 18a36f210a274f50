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
        // what the builder gets, in order (a later setting of a key wins)
        Map<String, String> settings = new LinkedHashMap<>();
        if (!conf.contains("spark.master")) {
            settings.put("spark.master", c.sparkMaster());
        }
        if (!conf.contains("spark.app.name")) {
            settings.put("spark.app.name", c.sparkAppName() + ": " + c.table());
        }
        settings.put("spark.sql.session.timeZone", "UTC");
        settings.put("spark.ui.showConsoleProgress", "false");
        if (!conf.contains("spark.master") && c.sparkMaster().startsWith("local")) {
            // a short job on this machine: no web UI to start, few shuffle partitions (the config's
            // spark.conf, below, still wins; spark-submit's settings are left alone)
            int partitions = Math.max(8, 2 * Runtime.getRuntime().availableProcessors());
            settings.put("spark.ui.enabled", "false");
            settings.put("spark.sql.shuffle.partitions", Integer.toString(partitions));
        }
        // the rows' GPUs and cores as Spark task requests, unless the config or spark-submit says otherwise
        String master = master(c);
        Map<String, String> all = new LinkedHashMap<>(TaskResources.sparkDefaults(rows, master));
        all.putAll(defaults);
        for (Map.Entry<String, String> e : all.entrySet()) {
            if (!conf.contains(e.getKey())) {
                settings.put(e.getKey(), e.getValue());
            }
        }
        settings.putAll(c.sparkConf());
        SparkSession.Builder b = SparkSession.builder();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            b = b.config(e.getKey(), e.getValue());
        }
        if (keepBetweenCommands) {
            return keptOrNew(b, settings, master);
        }
        SparkSession session = b.getOrCreate();
        markStarted();
        return session;
    }

    /** A session the daemon keeps between commands, with the settings it was built with. */
    private record Kept(SparkSession base, Map<String, String> settings) {}

    private static boolean keepBetweenCommands;
    private static Kept kept;

    /**
     * In the daemon: a local session's Spark context outlives its command, and the next command
     * whose settings are the same (its master, its spark.conf, the command's defaults; the app's
     * name aside) gets a new session of it (its own SQL settings and temporary views) instead of
     * starting Spark again. A session of other settings or another master ends the kept one.
     */
    static synchronized void keepBetweenCommands() {
        keepBetweenCommands = true;
    }

    private static synchronized SparkSession keptOrNew(
            SparkSession.Builder b, Map<String, String> given, String master) {
        Map<String, String> settings = new java.util.TreeMap<>(given);
        settings.remove("spark.app.name");
        if (kept != null) {
            if (kept.settings().equals(settings) && !kept.base().sparkContext().isStopped()) {
                return kept.base().newSession();
            }
            kept.base().stop();
            kept = null;
        }
        SparkSession session = b.getOrCreate();
        if (master.equals("local") || master.startsWith("local[")) {
            kept = new Kept(session, settings);
            return session.newSession();
        }
        return session;
    }

    /**
     * In the daemon, after a command: what its sessions cached (tables a report or the web view
     * keeps in memory) is dropped, as it would be with its JVM; and a context to which the command
     * added what every later session of it sees (a database, a table or view, a function, a global
     * temporary view, a jar or file: {@code sql} can) is stopped, as it would be with its JVM, so
     * that the next command starts Spark afresh rather than see them.
     */
    static synchronized void afterCommand() {
        if (kept == null) {
            return;
        }
        SparkSession base = kept.base();
        if (!base.sparkContext().isStopped()) {
            base.catalog().clearCache();
            if (asStarted(base)) {
                return;
            }
            base.stop();
        }
        kept = null;
    }

    /**
     * Whether the context holds nothing that a command's session left for the next: the one
     * database {@code default}, with no table, view or function of its own; no global temporary
     * view; no jar, file or archive added.
     */
    private static boolean asStarted(SparkSession base) {
        org.apache.spark.sql.catalog.Catalog catalog = base.catalog();
        try {
            if (catalog.listDatabases().collectAsList().size() != 1
                    || !catalog.listTables("default").collectAsList().isEmpty()
                    || !catalog.listTables("global_temp").collectAsList().isEmpty()) {
                return false;
            }
            for (org.apache.spark.sql.catalog.Function f :
                    catalog.listFunctions("default").collectAsList()) {
                if (!f.isTemporary()) {
                    return false;
                }
            }
        } catch (org.apache.spark.sql.AnalysisException e) {
            return false; // no database default, say: not as started
        }
        org.apache.spark.SparkContext sc = base.sparkContext();
        return sc.listJars().isEmpty()
                && sc.listFiles().isEmpty()
                && sc.listArchives().isEmpty();
    }

    /**
     * Ends a command's session: stops Spark, unless the daemon keeps its context for the next
     * command (then the session is only dropped).
     */
    static synchronized void close(SparkSession spark) {
        if (kept != null && kept.base().sparkContext() == spark.sparkContext()) {
            return;
        }
        spark.stop();
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
