package org.experimenter.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ExecutorResourceRequests;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;
import org.experimenter.ExperimenterException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.config.ResourceSettings;
import org.experimenter.config.Resources;

/**
 * The resources section as Spark's resource scheduling. The tasks that run rows ask for the
 * row's GPUs and cores through a stage-level resource profile ({@link #profile}), so an executor
 * runs at most as many rows at once as it has GPUs, while the run's other tasks (the reads of
 * the open rows, the summary) keep Spark's default profile and hold no GPU. Where Spark takes no
 * such profile (local mode), the cores are asked for session-wide instead. Also: the GPU
 * addresses Spark gave a task, which its rows alone see.
 */
public final class TaskResources {
    public static final String GPU = "gpu";

    private TaskResources() {}

    /**
     * Whether Spark 4.2 takes a task resource profile (task requests only, on executors of the
     * default profile) on this master: standalone (and local-cluster), YARN and Kubernetes; not
     * local mode ({@code ResourceProfileManager.isSupported}).
     */
    public static boolean profileSupported(String master) {
        return master.startsWith("spark://")
                || master.startsWith("local-cluster")
                || master.equals("yarn")
                || master.startsWith("k8s://");
    }

    /**
     * Spark settings for a session whose rows need these resources; the config's spark.conf and
     * spark-submit's settings win. An executor is given as many GPUs as one row needs unless
     * {@code spark.executor.resource.gpu.amount} says how many it has. The rows' own requests
     * are the run stage's profile where Spark takes one; elsewhere (local mode) the cores are
     * every task's ({@code spark.task.cpus}). No GPU in local mode, where a task asking for one
     * would wait forever (a run refuses it; eval and sql run there).
     */
    public static Map<String, String> sparkDefaults(Resources r, String master) {
        Map<String, String> out = new LinkedHashMap<>();
        boolean profile = profileSupported(master);
        if (r.gpus() > 0 && !isLocal(master)) {
            if (!profile) {
                out.put("spark.task.resource.gpu.amount", Integer.toString(r.gpus()));
            }
            out.put("spark.executor.resource.gpu.amount", Integer.toString(r.gpus()));
        }
        if (r.cpus() != 1 && !profile) {
            out.put("spark.task.cpus", Integer.toString(r.cpus()));
        }
        return out;
    }

    /**
     * The resource profile of the stage that runs rows: each task asks for the row's GPUs and
     * cores; null when the rows ask for nothing of Spark (its default profile). Without {@code
     * executors}, only task requests, which Spark runs on the executors it has (a
     * TaskResourceProfile); the row's memory then sizes no executor. With them (dynamic
     * allocation, where Spark 4.2 starts executors for a profile), the profile also asks for
     * executors of one row each: its cores, its memory as the executor's memory, its GPUs (found
     * by {@code gpuDiscoveryScript}, empty for the cluster's own).
     */
    public static ResourceProfile profile(Resources r, boolean executors, String gpuDiscoveryScript) {
        boolean sized = executors && r.memory() > 0;
        if (r.gpus() == 0 && r.cpus() == 1 && !sized) {
            return null;
        }
        TaskResourceRequests tasks = new TaskResourceRequests();
        if (r.cpus() != 1) {
            // without it the profile's tasks take spark.task.cpus, as the config's spark.conf may set it
            tasks = tasks.cpus(r.cpus());
        }
        if (r.gpus() > 0) {
            tasks = tasks.resource(GPU, r.gpus());
        }
        ResourceProfileBuilder b = new ResourceProfileBuilder().require(tasks);
        if (sized) {
            ExecutorResourceRequests e =
                    new ExecutorResourceRequests().cores(r.cpus()).memory(r.memoryMb() + "m");
            if (r.gpus() > 0) {
                e = e.resource(GPU, r.gpus(), gpuDiscoveryScript, "");
            }
            b = b.require(e);
        }
        return b.build();
    }

    /**
     * Whether Spark 4.2 starts executors for a profile that asks for executor resources on this
     * master: only with dynamic allocation, on standalone, YARN and Kubernetes
     * ({@code ResourceProfileManager.isSupported}); without it a profile may ask for task
     * resources only.
     */
    public static boolean executorProfiles(String master, boolean dynamicAllocation) {
        return dynamicAllocation && profileSupported(master);
    }

    /**
     * The one log line of a run whose rows ask for memory that no executor is sized by (no
     * dynamic allocation, or local mode); null when there is nothing to say.
     */
    static String memoryNote(Resources r, String master, boolean dynamicAllocation) {
        if (r.memory() == 0 || executorProfiles(master, dynamicAllocation)) {
            return null;
        }
        return "resources: memory = " + Resources.size(r.memory()) + " is told to each row (ctx.memory(),"
                + " EXPERIMENTER_MEMORY_MB) but sizes no executor: Spark 4.2 starts executors of a row's memory only"
                + " for a resource profile with executor requests, which needs dynamic allocation"
                + " (spark.dynamicAllocation.enabled) on standalone, YARN or Kubernetes; here (" + master
                + (profileSupported(master) ? ", dynamic allocation off" : "")
                + ") the executors have spark.executor.memory";
    }

    /**
     * Refuses rows that need GPUs on Spark's local mode, which gives tasks no GPU: a task asking
     * for one would wait forever (Spark 4.2). local-cluster, standalone, YARN and Kubernetes
     * schedule them.
     */
    static void checkMaster(Resources r, String master, String origin) {
        if (r.gpus() > 0 && isLocal(master)) {
            throw new ExperimenterException(origin + ": resources.gpus: Spark's local mode (" + master
                    + ") schedules no GPUs; run on a cluster, or on this machine with spark.master ="
                    + " \"local-cluster[1,<cores>,<MB>]\" and a discovery script (docs/gpus.md)");
        }
    }

    /**
     * Refuses, before any row runs, a run whose rows would ask for GPUs on Spark's local mode:
     * those of the top-level section and, in a run of every stage ({@code stage} null), those of
     * each stage with a section of its own ({@code stages { 2 { resources { gpus = 1 } } }});
     * in a run of one stage, that stage's. The message names the stage and the key.
     */
    public static void checkMaster(ExperimentConfig config, Integer stage, String master) {
        if (!isLocal(master)) {
            return;
        }
        Map<Integer, ResourceSettings> stages = config.stageResources();
        boolean topLevel = stage == null || !stages.containsKey(stage);
        if (topLevel) {
            checkMaster(config.resources().base(), master, config.origin());
        }
        for (Map.Entry<Integer, ResourceSettings> e : stages.entrySet()) {
            if ((stage == null || stage.equals(e.getKey()))
                    && e.getValue().base().gpus() > 0) {
                if (config.resources().base().gpus() > 0) {
                    // the stage takes its GPUs from the top-level section
                    checkMaster(config.resources().base(), master, config.origin());
                }
                throw new ExperimenterException(config.origin() + ": stages." + e.getKey() + ".resources.gpus:"
                        + " the rows of stage " + e.getKey() + " ask for GPUs, which Spark's local mode (" + master
                        + ") does not schedule; nothing was run. Run on a cluster, or on this machine with"
                        + " spark.master = \"local-cluster[1,<cores>,<MB>]\" and a discovery script (docs/gpus.md);"
                        + " or run the other stages alone (run --stage 1)");
            }
        }
    }

    /**
     * Refuses, before Spark starts, a run whose rows ask for more cores than Spark's local mode
     * has: its context would not start ("The number of cores per executor (=2) has to be >= the
     * number of cpus per task", with Spark's stack trace). The message names the key.
     */
    public static void checkLocalCores(ExperimentConfig config, Integer stage, String master) {
        int cores = config.sessionResources(stage).cpus();
        if (!isLocal(master) || cores <= localSlots(master)) {
            return;
        }
        ResourceSettings own = stage == null ? null : config.stageResources().get(stage);
        String key =
                own != null && own.base().cpus() != config.resources().base().cpus()
                        ? "stages." + stage + ".resources.cpus"
                        : "resources.cpus";
        throw new ExperimenterException(config.origin() + ": " + key + ": each row asks for " + cores
                + " cores, more than Spark's local mode (" + master + ") has (" + localSlots(master)
                + "); nothing was run. Ask for at most " + localSlots(master) + ", or run on a cluster");
    }

    /**
     * The task requests of a session that runs no rows (eval, sql, serve, ...): in local mode no
     * more cores than it has, where Spark would not start; the rows' own elsewhere.
     */
    public static Resources withoutRows(Resources r, String master) {
        return isLocal(master) && r.cpus() > localSlots(master)
                ? new Resources(r.gpus(), Math.max(1, localSlots(master)), r.memory())
                : r;
    }

    private static boolean isLocal(String master) {
        return master.equals("local") || master.startsWith("local[");
    }

    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\d+)?\\])?");

    /**
     * How many tasks a local master runs at once ({@code local}: 1, {@code local[4]} and {@code
     * local[4,2]}: 4, {@code local[*]}: the cores); 0 for any other master, whose tasks run in
     * other JVMs.
     */
    public static int localSlots(String master) {
        Matcher m = LOCAL.matcher(master.trim());
        if (!m.matches()) {
            return 0;
        }
        if (m.group(1) == null) {
            return 1;
        }
        return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
    }

    /**
     * The GPU addresses Spark gave the running task, in Spark's order; empty when it asked for
     * none. Throws when the rows need GPUs and Spark gave the task fewer: its settings do not
     * schedule them (no GPU on the executors, or no discovery script).
     */
    static List<String> gpusOfTask(TaskContext task, Resources r) {
        List<String> out = new ArrayList<>();
        if (task != null) {
            scala.Option<ResourceInformation> gpu = task.resources().get(GPU);
            if (gpu.isDefined()) {
                out.addAll(List.of(gpu.get().addresses()));
            }
        }
        if (out.size() < r.gpus()) {
            throw new ExperimenterException("resources.gpus = " + r.gpus() + " but Spark gave this task "
                    + (out.isEmpty() ? "no GPU" : "only GPUs " + out)
                    + ": the executors need GPUs (spark.executor.resource.gpu.amount and a discovery script,"
                    + " spark.executor.resource.gpu.discoveryScript; see docs/gpus.md)");
        }
        return out;
    }
}
