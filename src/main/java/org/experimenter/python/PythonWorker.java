package org.experimenter.python;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.experimenter.config.PythonSettings;
import org.experimenter.process.ProcessTree;
import org.experimenter.process.ShellVariables;

/**
 * One worker process ({@code experimenter_worker.py}) and its end of the protocol: JSON lines
 * written to its stdin, JSON lines read from its stdout by a thread of its own into a queue, so
 * that waiting for the worker can be interrupted (a timeout) and can look at the run's stop.
 * Its stderr, where the worker's own output outside rows goes, is a file under {@code
 * <run-dir>/python-workers/}.
 */
final class PythonWorker {
    /** Put in the queue when the worker's output ends: it exited, or closed it. */
    static final Map<String, Object> END = Map.of();

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    final PythonSettings settings;
    final Path log;
    private final Process process;
    private final ProcessTree tree;
    /** The interpreter's version and the versions of provenance.packages, as the worker reported them. */
    volatile String runtimeVersion;

    volatile String packages;
    private final OutputStream in;
    private final BlockingQueue<Map<String, Object>> out = new LinkedBlockingQueue<>();
    private volatile String protocolError;
    private int rows;
    /** {@link System#nanoTime()} when the worker last became idle. */
    volatile long idleSince;

    private PythonWorker(PythonSettings settings, ProcessTree tree, Path log) {
        Process process = tree.process();
        this.settings = settings;
        this.process = process;
        this.log = log;
        this.tree = tree;
        this.in = process.getOutputStream();
        Thread reader = new Thread(this::read, "experimenter-python-worker-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a worker; it then imports the function and says whether that worked ({@link #next}).
     * {@code ahead}: started by a local run's driver before its Spark session (the JVM's exit then
     * gives the worker the patience of a driver's, which Spark not yet running cannot tell).
     */
    static PythonWorker start(PythonSettings s, boolean ahead) throws IOException {
        WorkerFiles files = WorkerFiles.get();
        Path logDir =
                Files.createDirectories(Path.of(s.runDir()).toAbsolutePath().resolve("python-workers"));
        Path log = logDir.resolve(ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + ".log");
        ProcessBuilder pb = new ProcessBuilder(
                s.interpreter(),
                files.worker().toString(),
                s.function(),
                files.shim().toString());
        StringBuilder pythonPath = new StringBuilder(files.lib().toString());
        for (String p : s.path()) {
            pythonPath.append(File.pathSeparator).append(Path.of(p).toAbsolutePath());
        }
        String inherited = System.getenv("PYTHONPATH");
        if (inherited != null && !inherited.isEmpty()) {
            pythonPath.append(File.pathSeparator).append(inherited);
        }
        Map<String, String> env = pb.environment();
        ShellVariables.applyTo(env);
        env.put("PYTHONPATH", pythonPath.toString());
        if (System.getenv("PYTHONUNBUFFERED") == null) {
            env.put("PYTHONUNBUFFERED", "1"); // stdout.txt fills as the function prints
        }
        env.putAll(s.environment());
        env.put("EXPERIMENTER_PROVENANCE_PACKAGES", String.join(",", s.packages()));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            // its own session, marked: what the function starts, however it forks, ends with the worker
            // how long the JVM's exit lets the worker end by itself before it is terminated: in a
            // local-mode driver a minute and the kill grace, since the run's stop hook first gives the
            // running row its shutdown-grace (30 s by default) and the pool then ends the worker;
            // elsewhere none. A worker is shared by the runs of one JVM: no single config's grace.
            Duration inDriver = Duration.ofMinutes(1).plus(s.killGrace());
            Duration patience = ahead ? inDriver : ProcessTree.patience(inDriver);
            return new PythonWorker(s, ProcessTree.start(pb, patience, s.killGrace()), log);
        } catch (IOException e) {
            throw new IOException(
                    "cannot start the Python worker " + String.join(" ", pb.command()) + ": " + e.getMessage(), e);
        }
    }

    long pid() {
        return process.pid();
    }

    int rows() {
        return rows;
    }

    void countRow() {
        rows++;
    }

    /**
     * Says goodbye and closes the worker's input: the worker then exits. An input that ends without
     * it (this JVM died, by SIGKILL) makes the worker end its tree as this JVM would have.
     */
    private void goodbye() {
        send(Map.of("goodbye", true));
        try {
            in.close();
        } catch (IOException e) {
            // it is being ended anyway
        }
    }

    /** Sends one message; false when the worker can no longer read (it died). */
    boolean send(Map<String, ?> message) {
        try {
            byte[] line = (JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
            in.write(line);
            in.flush();
            return true;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage() + "; this is a bug", e);
        } catch (IOException e) {
            return false;
        }
    }

    /** The next message, {@link #END} once the output ended, or null when none came within the wait. */
    Map<String, Object> next(long millis) throws InterruptedException {
        return out.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Set when the worker wrote a line that is no protocol message (then {@link #END} follows). */
    String protocolError() {
        return protocolError;
    }

    /** How the process ended, once its output ended: waits a little for its exit. */
    String exitText() throws InterruptedException {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            return "closed its output but still runs";
        }
        return ProcessTree.exitText(process.exitValue());
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Ends the worker and everything it started: goodbye, SIGTERM, SIGKILL after grace. */
    void end(Duration grace) {
        goodbye();
        tree.terminate(grace);
        tree.close();
    }

    /**
     * Ends an idle worker as it ends by itself: the tool's goodbye, on which the worker exits; what
     * is still running {@code grace} later gets SIGKILL.
     */
    void retire(Duration grace) {
        goodbye();
        boolean interrupted = false;
        try {
            process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        tree.terminate(Duration.ZERO);
        tree.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("unchecked")
    private void read() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                Object m;
                try {
                    m = JSON.readValue(line, Object.class);
                } catch (JsonProcessingException e) {
                    m = null;
                }
                if (!(m instanceof Map)) {
                    protocolError = "the worker wrote a line that is no message: " + abbreviate(line);
                    process.destroyForcibly();
                    break;
                }
                out.add((Map<String, Object>) m);
            }
        } catch (IOException e) {
            // the output ended
        } finally {
            out.add(END);
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** Tail of a text file, for messages: the last bytes, from a line start where one is near. */
    static String tail(Path file, int maxBytes) {
        try {
            byte[] b = Files.readAllBytes(file);
            int from = Math.max(0, b.length - maxBytes);
            String s = new String(b, from, b.length - from, StandardCharsets.UTF_8);
            int nl = s.indexOf('\n');
            return from > 0 && nl >= 0 && nl < 1024 ? s.substring(nl + 1) : s;
        } catch (IOException e) {
            return "";
        }
    }

    /** A message of one key. */
    static Map<String, Object> message(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(key, value);
        return m;
    }
}
