package org.experimenter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/lib.sh's unsigned_copies, which rewrites the launcher's class path file to name copies of
 * signed jars without their signature files: two first builds at once, and class path entries it
 * cannot copy.
 */
class UnsignedCopiesTest {
    @TempDir
    Path dir;

    /** A jar with a signature file and enough content that writing its copy takes a while. */
    private static Path signedJar(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Random random = new Random(1);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            z.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            z.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.US_ASCII));
            z.putNextEntry(new ZipEntry("META-INF/SIGNER.SF"));
            z.write("Signature-Version: 1.0\n".getBytes(StandardCharsets.US_ASCII));
            z.putNextEntry(new ZipEntry("META-INF/SIGNER.RSA"));
            z.write(new byte[] {1, 2, 3});
            for (int i = 0; i < 400; i++) {
                z.putNextEntry(new ZipEntry("p/C" + i + ".class"));
                byte[] b = new byte[8192];
                random.nextBytes(b);
                z.write(b);
            }
        }
        return file;
    }

    /** Runs unsigned_copies {@code times} at once on the class path file; their exit codes. */
    private List<Integer> unsignedCopies(Path root, int times) throws Exception {
        Path lib = Path.of("scripts/lib.sh").toAbsolutePath();
        List<Process> runs = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            runs.add(new ProcessBuilder(
                            "bash",
                            "-c",
                            "set -euo pipefail; root=\"$1\"; source \"$2\"; unsigned_copies",
                            "-",
                            root.toString(),
                            lib.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(root.resolve("out" + i + ".txt").toFile())
                    .start());
        }
        List<Integer> codes = new ArrayList<>();
        for (Process p : runs) {
            codes.add(p.waitFor());
        }
        return codes;
    }

    private static List<String> classPath(Path root) throws IOException {
        return List.of(Files.readString(root.resolve("target/runtime-classpath.txt"))
                .strip()
                .split(":"));
    }

    private static void assertUnsignedCopy(Path root, String entry, String name) throws IOException {
        Path copy = root.resolve("target/experimenter/unsigned").resolve(name);
        assertEquals(copy.toString(), entry);
        try (ZipFile z = new ZipFile(copy.toFile())) {
            assertEquals(401, z.size(), name + ": the manifest and the classes");
            assertTrue(z.getEntry("META-INF/SIGNER.SF") == null, name);
            assertTrue(z.getEntry("p/C399.class") != null, name);
        }
    }

    @Test
    void twoFirstBuildsAtOnceBothSucceedAndLeaveWholeCopies() throws Exception {
        for (int attempt = 0; attempt < 4; attempt++) {
            Path root = dir.resolve("r" + attempt);
            Path a = signedJar(root.resolve("m2/a-1.jar"));
            Path b = signedJar(root.resolve("m2/b-1.jar"));
            Files.createDirectories(root.resolve("target"));
            Files.writeString(root.resolve("target/runtime-classpath.txt"), a + ":" + b);

            List<Integer> codes = unsignedCopies(root, 2);

            assertEquals(
                    List.of(0, 0),
                    codes,
                    () -> "output: " + read(root.resolve("out0.txt")) + " / " + read(root.resolve("out1.txt")));
            List<String> cp = classPath(root);
            assertEquals(2, cp.size(), cp::toString);
            assertUnsignedCopy(root, cp.get(0), "a-1.jar");
            assertUnsignedCopy(root, cp.get(1), "b-1.jar");
            try (var files = Files.list(root.resolve("target/experimenter/unsigned"))) {
                assertEquals(2, files.count(), "no temporary file left");
            }
        }
    }

    @Test
    void entriesItCannotCopyStayAsTheyAreAndPathsWithSpacesAreCopied() throws Exception {
        Path root = dir.resolve("a root with spaces");
        Path broken = root.resolve("m2/broken-1.jar");
        Files.createDirectories(broken.getParent());
        try (OutputStream o = Files.newOutputStream(broken)) {
            o.write("not a zip".getBytes(StandardCharsets.US_ASCII));
        }
        Path classes = Files.createDirectories(root.resolve("some classes"));
        Path spaced = signedJar(root.resolve("m2/a dir/signed 1.jar"));
        Files.createDirectories(root.resolve("target"));
        Files.writeString(root.resolve("target/runtime-classpath.txt"), broken + ":" + classes + ":" + spaced + "\n");

        List<Integer> codes = unsignedCopies(root, 1);

        String out = read(root.resolve("out0.txt"));
        assertEquals(List.of(0), codes, out);
        assertFalse(out.contains("Traceback"), out);
        assertTrue(out.contains(broken + " stays as it is"), out);
        List<String> cp = classPath(root);
        assertEquals(List.of(broken.toString(), classes.toString()), cp.subList(0, 2));
        assertUnsignedCopy(root, cp.get(2), "signed 1.jar");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
