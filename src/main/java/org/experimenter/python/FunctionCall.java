package org.experimenter.python;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.experimenter.ExperimentContext;
import org.experimenter.ExperimenterException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.config.PythonSettings;
import org.experimenter.process.ProcessTree;
import org.experimenter.process.RowEnvironment;
import org.experimenter.provenance.AttemptFacts;

/**
 * One attempt at one row by a Python function: takes a worker (an idle one, or a new one that
 * imports the function), sends it the row, applies its events to the row as they come
 * (answering each, so that an undeclared or mistyped field raises in the function), and ends
 * when the function returned or raised. The worker goes back to the pool then; a worker that
 * died, or was interrupted (a timeout, a stop whose grace ran out), is ended with its whole
 * process tree and a new one serves the next row.
 */
final class FunctionCall {
    static final int STDERR_TAIL = 64 * 1024;
    private static final long TICK_MILLIS = 200;

    private final ExperimentConfig config;
    private final PythonSettings settings;
    private final ExperimentContext ctx;
    private double cpuStart = Double.NaN;
    private double cpuSeen = Double.NaN;

    FunctionCall(ExperimentConfig config, ExperimentContext ctx) {
        this.config = config;
        // a worker sees only the GPUs of the task it serves: workers are pooled by these settings
        this.settings = config.python().withEnvironment(RowEnvironment.of(ctx));
        this.ctx = ctx;
    }

    void run() throws Exception {
        PythonWorker w = worker();
        boolean healthy = false;
        try {
            Path row = Path.of(settings.runDir())
                    .toAbsolutePath()
                    .resolve(config.table())
                    .resolve(Long.toString(ctx.id()));
            Path attempt = row.resolve("attempt-" + ctx.attempt());
            Path stop = attempt.resolve("stopping");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("table", config.table());
            m.put("id", ctx.id());
            m.put("attempt", ctx.attempt());
            m.put("parameters", ctx.parameters().asMap());
            m.put("custom", ctx.custom().root().unwrapped());
            m.put("scratch_dir", row.resolve("scratch").toString());
            if (config.artifactRoot() != null) {
                m.put("artifact_dir", ctx.artifactDir().toString());
            }
            m.put("stop_file", stop.toString());
            m.put("stdout", attempt.resolve("stdout.txt").toString());
            m.put("stderr", attempt.resolve("stderr.txt").toString());
            w.countRow();
            AttemptFacts.runtime(w.runtimeVersion, w.packages);
            cpuStart = ProcessTree.cpuSeconds(w.pid());
            cpuSeen = cpuStart;
            w.send(PythonWorker.message("row", m)); // when the worker died meanwhile, its END follows
            boolean toldToStop = false;
            while (true) {
                Map<String, Object> msg = w.next(TICK_MILLIS);
                if (msg == null) {
                    readCpu(w); // each tick: what a worker that dies used stays counted
                    if (!w.alive()) {
                        // a child forked by the function may hold the worker's output open: no END comes
                        throw died(w, attempt);
                    }
                    if (!toldToStop && ctx.isStopping()) {
                        Files.createDirectories(attempt);
                        Files.writeString(stop, "the run is stopping\n");
                        toldToStop = true;
                    }
                } else if (msg == PythonWorker.END) {
                    throw died(w, attempt);
                } else if (msg.get("done") instanceof Map<?, ?> done) {
                    healthy = true;
                    if (Boolean.TRUE.equals(done.get("paused"))) {
                        ctx.pause();
                    }
                    return;
                } else if (msg.containsKey("failed")) {
                    healthy = true;
                    throw new WorkerFailure(
                            msg.get("failed") + "(stdout.txt and stderr.txt of this row: " + attempt + ")");
                } else {
                    answer(w, msg);
                }
            }
        } finally {
            readCpu(w);
            if (!Double.isNaN(cpuStart) && !Double.isNaN(cpuSeen)) {
                // the worker's own and its waited-for children's CPU time over the call
                AttemptFacts.addChildCpu(cpuSeen - cpuStart);
            }
            if (healthy) {
                WorkerPool.giveBack(w);
            } else {
                WorkerPool.discard(w);
            }
        }
    }

    private void readCpu(PythonWorker w) {
        double s = ProcessTree.cpuSeconds(w.pid());
        if (!Double.isNaN(s) && (Double.isNaN(cpuSeen) || s > cpuSeen)) {
            cpuSeen = s; // NaN: the worker has died, its last reading stands
        }
    }

    /** An idle worker, or a new one that imported the function; throws when it cannot be had. */
    private PythonWorker worker() throws Exception {
        String broken = WorkerPool.broken(settings);
        if (broken != null) {
            throw new WorkerFailure(broken + "\n(remembered by this executor JVM: each of its rows fails at once;"
                    + " fix the function and run again)");
        }
        Duration patience = shutdownPatience();
        PythonWorker w = WorkerPool.take(settings, patience);
        if (w != null) {
            return w;
        }
        // a worker started ahead may have failed to import meanwhile
        broken = WorkerPool.broken(settings);
        if (broken != null) {
            throw new WorkerFailure(broken);
        }
        return importing(settings, patience, false);
    }

    /**
     * A new worker that imported the function, busy; throws, remembering why (every later row of
     * these settings then fails at once), when it cannot be started or the import fails. {@code
     * ahead}: see {@link PythonWorker#start}.
     */
    static PythonWorker importing(PythonSettings settings, Duration patience, boolean ahead) throws Exception {
        PythonWorker w;
        try {
            w = PythonWorker.start(settings, ahead);
        } catch (IOException e) {
            WorkerPool.markBroken(settings, e.getMessage());
            throw new WorkerFailure(e.getMessage());
        }
        WorkerPool.started(w, patience);
        boolean ready = false;
        try {
            Map<String, Object> msg;
            do {
                msg = w.next(TICK_MILLIS);
            } while (msg == null);
            if (msg.containsKey("ready")) {
                w.runtimeVersion = msg.get("python") == null ? null : "Python " + msg.get("python");
                w.packages =
                        msg.get("packages") == null ? null : PythonWorker.JSON.writeValueAsString(msg.get("packages"));
                ready = true;
                return w;
            }
            String why;
            if (msg.containsKey("import_error")) {
                why = "cannot import the function " + settings.function() + " (Python worker, pid " + w.pid() + "):\n"
                        + msg.get("import_error");
            } else {
                String out = PythonWorker.tail(w.log, STDERR_TAIL);
                why = "the Python worker for " + settings.function() + " (pid " + w.pid() + ") "
                        + (w.protocolError() != null ? w.protocolError() : w.exitText())
                        + " before it imported the function" + (out.isEmpty() ? "" : ":\n" + out);
            }
            WorkerPool.markBroken(settings, why);
            throw new WorkerFailure(why);
        } finally {
            if (!ready) {
                WorkerPool.discard(w);
            }
        }
    }

    /** Applies an event of the function and answers it: ok, or why it was refused. */
    @SuppressWarnings("unchecked")
    private void answer(PythonWorker w, Map<String, Object> event) {
        String error = null;
        try {
            if (event.get("put") instanceof Map<?, ?> put) {
                ctx.results().putAll((Map<String, ?>) put);
            } else if (event.get("results") instanceof Map<?, ?> results) {
                ctx.results().putAll((Map<String, ?>) results);
                ctx.results().flush();
            } else if (event.get("log") instanceof String table && event.get("row") instanceof Map<?, ?> row) {
                ctx.log(table, (Map<String, ?>) row);
            } else if ("paused".equals(event.get("status"))) {
                ctx.pause();
            } else {
                error = "unknown event " + PythonWorker.abbreviate(String.valueOf(event)) + "; this is a bug";
            }
        } catch (ExperimenterException e) {
            error = e.getMessage();
        }
        w.send(error == null ? PythonWorker.message("ok", true) : PythonWorker.message("error", error));
    }

    private WorkerFailure died(PythonWorker w, Path attempt) throws InterruptedException {
        Path stderr = attempt.resolve("stderr.txt");
        String how = w.protocolError() != null ? w.protocolError() : w.exitText();
        StringBuilder m = new StringBuilder("the Python worker (pid " + w.pid() + ") " + how
                + " while running this row (function " + settings.function() + "); a new worker takes the next row");
        String tail = PythonWorker.tail(stderr, STDERR_TAIL);
        if (!tail.isEmpty()) {
            m.append("\nstderr (").append(stderr).append("):\n").append(tail);
        } else {
            m.append("\n(nothing on stderr; stdout is in ")
                    .append(attempt.resolve("stdout.txt"))
                    .append(")");
        }
        return new WorkerFailure(m.toString());
    }

    /**
     * How long the JVM's exit waits for a busy worker: in a driver (local mode) the run's stop
     * hook gives running rows their grace period first; an executor's JVM ends its workers at once.
     */
    private Duration shutdownPatience() {
        org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
        if (env == null || !"driver".equals(env.executorId())) {
            return Duration.ZERO;
        }
        return config.shutdownGrace().plus(settings.killGrace()).plusSeconds(20);
    }
}
