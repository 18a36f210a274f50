package org.experimenter.python;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Python files shipped in the jar, copied once per JVM into a folder of their own: {@code
 * lib/} (the helper module {@code experimenter} and the worker), which goes first on each
 * worker's PYTHONPATH, and {@code shim/} (the stand-in {@code py_experimenter} package), which
 * the worker puts last on its sys.path.
 */
record WorkerFiles(Path lib, Path shim) {
    private static final List<String> LIB = List.of("experimenter.py", "experimenter_worker.py");
    private static final List<String> SHIM = List.of("__init__.py", "result_processor.py", "experiment_status.py");
    private static WorkerFiles copied;

    Path worker() {
        return lib.resolve("experimenter_worker.py");
    }

    static synchronized WorkerFiles get() throws IOException {
        if (copied != null && Files.isRegularFile(copied.worker())) {
            return copied;
        }
        Path d = Files.createTempDirectory("experimenter-python-worker");
        WorkerFiles f = new WorkerFiles(d.resolve("lib"), d.resolve("shim"));
        for (String name : LIB) {
            copy("python/" + name, f.lib().resolve(name));
        }
        for (String name : SHIM) {
            copy(
                    "python/shim/py_experimenter/" + name,
                    f.shim().resolve("py_experimenter").resolve(name));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(d), "experimenter-python-worker-cleanup"));
        copied = f;
        return f;
    }

    private static void copy(String resource, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        try (InputStream in = WorkerFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is not on the class path; this is a bug in the build");
            }
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder; the system cleans it up eventually
        }
    }
}
