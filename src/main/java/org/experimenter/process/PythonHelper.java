package org.experimenter.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The Python helper module shipped in the jar ({@code python/experimenter.py}), copied once per
 * JVM to a folder of its own that goes first on each command's {@code PYTHONPATH}: {@code import
 * experimenter} works on every executor without installing anything.
 */
final class PythonHelper {
    static final String RESOURCE = "python/experimenter.py";
    private static Path dir;

    private PythonHelper() {}

    static synchronized Path dir() throws IOException {
        if (dir != null && Files.isRegularFile(dir.resolve("experimenter.py"))) {
            return dir;
        }
        Path d = Files.createTempDirectory("experimenter-python");
        try (InputStream in = PythonHelper.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException(RESOURCE + " is not on the class path; this is a bug in the build");
            }
            Files.copy(in, d.resolve("experimenter.py"), StandardCopyOption.REPLACE_EXISTING);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RunFiles.deleteTree(d), "experimenter-python-cleanup"));
        dir = d;
        return d;
    }
}
