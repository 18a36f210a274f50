package org.experimenter.process;

import java.io.File;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.experimenter.ExperimentContext;
import org.experimenter.ExperimenterException;
import org.experimenter.config.CommandSettings;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.config.Placeholders;
import org.experimenter.provenance.AttemptFacts;

/**
 * One attempt at one row by a command: writes its inputs, starts the process, streams its events
 * file into the table while it runs, and reads its result file when it exits. The process tree
 * ends with the attempt: an interrupt (timeout, or a stop whose grace period ran out) or a
 * failure of the tool terminates it, SIGTERM then SIGKILL, before this returns; children left
 * behind by a process that exited are ended too.
 */
final class CommandAttempt {
    /** How much of stderr the error column gets. */
    static final int STDERR_TAIL = 64 * 1024;

    private static final long TICK_MILLIS = 200;

    private final ExperimentConfig config;
    private final CommandSettings settings;
    private final ExperimentContext ctx;
    private boolean paused;
    /** The command's CPU seconds as last read from /proc while it ran. */
    private double cpuSeen;

    CommandAttempt(ExperimentConfig config, ExperimentContext ctx) {
        this.config = config;
        this.settings = config.command();
        this.ctx = ctx;
    }

    /** The row halving promoted this one from, whose scratch folder holds the checkpoint; null for none. */
    private Long parentId() {
        if (config.halving() == null) {
            return null;
        }
        Object p =
                new org.experimenter.store.ExperimentStore(config).row(ctx.id()).get("parent_id");
        return p == null ? null : ((Number) p).longValue();
    }

    void run() throws Exception {
        RunFiles files =
                RunFiles.create(Path.of(settings.runDir()), config.table(), ctx.id(), ctx.attempt(), parentId());
        Files.writeString(files.params(), Json.write(inputs(files)));
        Files.createFile(files.events()); // there to append to, in any language
        Map<String, String> values = placeholderValues(files);
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, String> e : keyfieldText().entrySet()) {
            args.add("--" + e.getKey() + "=" + e.getValue());
        }
        List<String> argv = Placeholders.expand(
                settings.command(),
                settings.shell(),
                values,
                args,
                new ArrayList<>(keyfieldText().keySet()));
        Map<String, String> env = environment(files, values, args);
        checkEncodable(argv, env, Charset.defaultCharset());

        ProcessBuilder pb = new ProcessBuilder(argv);
        if (!settings.workingDir().isEmpty()) {
            Path wd = Path.of(settings.workingDir()).toAbsolutePath();
            if (!Files.isDirectory(wd)) {
                throw new CommandFailure(
                        config.origin() + ": experiment.working-dir: " + wd + " is no directory on " + Host.NAME);
            }
            pb.directory(wd.toFile());
        }
        ShellVariables.applyTo(pb.environment());
        pb.environment().putAll(env);
        pb.redirectInput(new File("/dev/null"));
        pb.redirectOutput(files.stdout().toFile());
        pb.redirectError(files.stderr().toFile());
        ProcessTree tree;
        try {
            tree = ProcessTree.start(
                    pb,
                    // in a driver, the run's stop hook gives the experiment its grace period first
                    ProcessTree.patience(
                            config.shutdownGrace().plus(settings.killGrace()).plusSeconds(20)),
                    settings.killGrace(),
                    true);
        } catch (IOException e) {
            throw new CommandFailure(
                    "cannot start the command " + display(argv) + " on " + Host.NAME + ": " + e.getMessage());
        }
        Process p = tree.process();
        EventStream events = new EventStream(files.events());
        try {
            watch(p, events, files);
            // the command exited; what it left behind (a background child, a daemon) ends with its row
            tree.terminate(settings.killGrace());
        } catch (InterruptedException e) {
            tree.terminate(settings.killGrace());
            lastEvents(events);
            throw e;
        } catch (Exception | Error e) {
            tree.terminate(settings.killGrace());
            throw e;
        } finally {
            tree.close();
            // read every tick, as it cannot be read once the process has exited: up to a tick is missed
            AttemptFacts.addChildCpu(cpuSeen);
        }
        finish(p.exitValue(), argv, files);
    }

    /** Until the process exits: streams events, tells it when the run is stopping. */
    private void watch(Process p, EventStream events, RunFiles files) throws Exception {
        long interval = settings.streamInterval().toNanos();
        long nextStream = System.nanoTime() + interval;
        boolean toldToStop = false;
        readCpu(p);
        while (!p.waitFor(Math.min(TICK_MILLIS, settings.streamInterval().toMillis()), TimeUnit.MILLISECONDS)) {
            readCpu(p);
            if (!toldToStop && ctx.isStopping()) {
                Files.writeString(files.stop(), "the run is stopping\n");
                toldToStop = true;
            }
            if (System.nanoTime() >= nextStream) {
                stream(events, false);
                nextStream = System.nanoTime() + interval;
            }
        }
        stream(events, true);
    }

    private void readCpu(Process p) {
        double s = ProcessTree.cpuSeconds(p.pid());
        if (s > cpuSeen) {
            cpuSeen = s;
        }
    }

    /**
     * Applies the new events and flushes what they wrote: a results event is the command's flush,
     * so its results reach the row also when a later line, the exit code or the result file
     * fails it (the row's error write leaves result columns as they are).
     */
    private void stream(EventStream events, boolean ended) throws IOException {
        try {
            events.apply(ctx, ended);
        } catch (IOException | RuntimeException e) {
            paused |= events.paused();
            try {
                flushWrites(events);
            } catch (RuntimeException f) {
                e.addSuppressed(f);
            }
            throw e;
        }
        paused |= events.paused();
        flushWrites(events);
    }

    /**
     * After a timeout ended the tree: what the command flushed since the last read still reaches
     * the row, unless the row has been given up already (then the context refuses the write).
     */
    private void lastEvents(EventStream events) {
        boolean interrupted = Thread.interrupted(); // a JDBC write on an interrupted thread may fail
        try {
            stream(events, true);
        } catch (IOException | RuntimeException ignored) {
            // the row ends as a timeout whatever this could add
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void flushWrites(EventStream events) {
        if (events.takeWrites() > 0) {
            ctx.results().flush();
        }
    }

    private void finish(int code, List<String> argv, RunFiles files) throws IOException {
        if (code != 0) {
            throw failure(exitText(code) + ": " + display(argv), files);
        }
        if (!Files.exists(files.result())) {
            if (paused) {
                return;
            }
            throw failure(
                    "the command exited with code 0 but wrote no result file " + files.result()
                            + " (EXPERIMENTER_RESULT_FILE; with the Python helper: experimenter.result(...)): "
                            + display(argv),
                    files);
        }
        Map<String, Object> results;
        try {
            results = Json.object(Files.readString(files.result()));
        } catch (Json.NotAnObject e) {
            throw failure("result file " + files.result() + ": " + e.getMessage(), files);
        } catch (java.nio.charset.MalformedInputException e) {
            throw failure("result file " + files.result() + ": not UTF-8 text", files);
        }
        try {
            ctx.results().putAll(results);
        } catch (ExperimenterException e) {
            throw failure("result file " + files.result() + ": " + e.getMessage(), files);
        }
    }

    private CommandFailure failure(String what, RunFiles files) {
        String tail = RunFiles.tail(files.stderr(), STDERR_TAIL);
        StringBuilder m = new StringBuilder(what);
        if (!tail.isEmpty()) {
            m.append("\nstderr (")
                    .append(files.stderr().toFile().length() > STDERR_TAIL ? "last 64 KB of " : "")
                    .append(files.stderr())
                    .append("):\n")
                    .append(tail);
        } else {
            m.append("\n(nothing on stderr; stdout is in ")
                    .append(files.stdout())
                    .append(")");
        }
        return new CommandFailure(m.toString());
    }

    /** Exit codes above 128 are how Java (and shells) report a process ended by a signal. */
    static String exitText(int code) {
        return "the command " + ProcessTree.exitText(code);
    }

    /** What the command is given in its JSON file. */
    private Map<String, Object> inputs(RunFiles files) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("table", config.table());
        m.put("id", ctx.id());
        m.put("attempt", ctx.attempt());
        m.put("parameters", ctx.parameters().asMap());
        m.put("custom", ctx.custom().root().unwrapped());
        Map<String, String> results = new LinkedHashMap<>();
        config.resultfields().forEach((k, v) -> results.put(k, v.configName()));
        m.put("resultfields", results);
        Map<String, Map<String, String>> logs = new LinkedHashMap<>();
        config.logtables().forEach((t, cols) -> {
            Map<String, String> c = new LinkedHashMap<>();
            cols.forEach((k, v) -> c.put(k, v.configName()));
            logs.put(t, c);
        });
        m.put("logtables", logs);
        m.put("scratch_dir", files.scratch().toString());
        m.put("result_file", files.result().toString());
        m.put("events_file", files.events().toString());
        m.put("stop_file", files.stop().toString());
        return m;
    }

    private Map<String, String> keyfieldText() {
        Map<String, String> m = new LinkedHashMap<>();
        ctx.parameters().asMap().forEach((k, v) -> m.put(k, text(v)));
        return m;
    }

    private static String text(Object v) {
        return v == null ? "" : String.valueOf(v);
    }

    private Map<String, String> placeholderValues(RunFiles files) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("id", Long.toString(ctx.id()));
        values.put("attempt", Integer.toString(ctx.attempt()));
        values.put("scratch_dir", files.scratch().toString());
        values.put("params_file", files.params().toString());
        values.put("result_file", files.result().toString());
        values.put("events_file", files.events().toString());
        values.putAll(keyfieldText()); // a keyfield named like a macro wins
        return values;
    }

    private Map<String, String> environment(RunFiles files, Map<String, String> values, List<String> args)
            throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("EXPERIMENTER_TABLE", config.table());
        env.put("EXPERIMENTER_ID", Long.toString(ctx.id()));
        env.put("EXPERIMENTER_ATTEMPT", Integer.toString(ctx.attempt()));
        env.put("EXPERIMENTER_PARAMS_FILE", files.params().toString());
        env.put("EXPERIMENTER_RESULT_FILE", files.result().toString());
        env.put("EXPERIMENTER_EVENTS_FILE", files.events().toString());
        env.put("EXPERIMENTER_SCRATCH_DIR", files.scratch().toString());
        env.put("EXPERIMENTER_STOP_FILE", files.stop().toString());
        if (config.artifactRoot() != null) {
            env.put("EXPERIMENTER_ARTIFACT_DIR", ctx.artifactDir().toString());
        }
        keyfieldText().forEach((k, v) -> env.put("EXPERIMENTER_PARAM_" + k.toUpperCase(Locale.ROOT), v));
        String pythonPath = System.getenv("PYTHONPATH");
        env.put(
                "PYTHONPATH",
                PythonHelper.dir()
                        + (pythonPath == null || pythonPath.isEmpty() ? "" : File.pathSeparator + pythonPath));
        if (System.getenv("PYTHONUNBUFFERED") == null) {
            env.put("PYTHONUNBUFFERED", "1"); // stdout.txt fills as the script prints, not when it exits
        }
        for (Map.Entry<String, String> e : settings.environment().entrySet()) {
            env.put(e.getKey(), Placeholders.substitute(e.getValue(), values, args));
        }
        // the row's GPUs win over an environment setting: each row sees only its own
        env.putAll(RowEnvironment.of(ctx));
        if (settings.shell()) {
            env.putAll(Placeholders.variables(values)); // the script refers to them: its values are never code
        }
        return env;
    }

    /**
     * Java 17 passes arguments and environment variables in the JVM's default charset: text it
     * cannot encode would reach the process as '?'. Refused, saying how to fix it.
     */
    static void checkEncodable(List<String> argv, Map<String, String> env, Charset charset) {
        CharsetEncoder enc = charset.newEncoder();
        List<String> texts = new ArrayList<>(argv);
        env.forEach((k, v) -> {
            texts.add(k);
            texts.add(v);
        });
        for (String t : texts) {
            if (!enc.canEncode(t)) {
                throw new CommandFailure("\"" + Json.abbreviate(t) + "\" cannot be passed to a process by this JVM,"
                        + " whose charset is " + charset + ": run it with -Dfile.encoding=UTF-8 (executors:"
                        + " spark.executor.extraJavaOptions) or in a UTF-8 locale (LANG=C.UTF-8); the JSON file"
                        + " EXPERIMENTER_PARAMS_FILE holds every value in UTF-8");
            }
        }
    }

    static String display(List<String> argv) {
        List<String> words = new ArrayList<>();
        for (String a : argv) {
            words.add(Placeholders.shellQuote(a));
        }
        String s = String.join(" ", words);
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "...";
    }

    /** Names the machine in messages: on a cluster a path or program may exist on some hosts only. */
    static final class Host {
        static final String NAME = name();

        private static String name() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "this host";
            }
        }
    }
}
