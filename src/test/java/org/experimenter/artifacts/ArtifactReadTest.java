package org.experimenter.artifacts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listed artifact is read only from inside its attempt's folder: a link anywhere below the
 * root (the file, a folder in the attempt, the attempt's, the row's or the table's folder) is
 * refused, under a local root and under a root of a Hadoop file system (the local one, by the
 * {@code stagetest} scheme), where before a linked folder led out of the root.
 */
class ArtifactReadTest {
    @TempDir
    Path tmp;

    @Test
    void aLocalRootReadsItsFilesAndRefusesEveryLinkBelowIt() throws Exception {
        Path root = layout();
        ArtifactRoot r = ArtifactRoot.of(root.toString());

        assertArrayEquals(bytes("model"), r.read("t", 1, 1, "model.txt", 100));
        assertArrayEquals(bytes("weights"), r.read("t", 1, 1, "sub/w.bin", 100));
        assertRefused(r);
    }

    @Test
    void aHadoopRootReadsItsFilesAndRefusesEveryLinkBelowIt() throws Exception {
        Path root = layout();
        ArtifactRoot r = ArtifactRoot.of(StagingTestFileSystem.SCHEME + "://" + root);

        assertArrayEquals(bytes("model"), r.read("t", 1, 1, "model.txt", 100));
        assertArrayEquals(bytes("weights"), r.read("t", 1, 1, "sub/w.bin", 100));
        assertRefused(r);
    }

    @Test
    void theRootItselfMayBeALink() throws Exception {
        Path root = layout();
        Path linked = Files.createSymbolicLink(tmp.resolve("linked-root"), root);

        assertArrayEquals(bytes("model"), ArtifactRoot.of(linked.toString()).read("t", 1, 1, "model.txt", 100));
    }

    private void assertRefused(ArtifactRoot r) {
        // the secret lies outside the root; each of these leads to it through a link
        for (Object[] c : new Object[][] {
            {1L, "leak.txt"}, // the file is a link
            {1L, "out/secret.txt"}, // a folder in the attempt is a link
            {2L, "secret.txt"}, // the attempt's folder is a link
            {3L, "secret.txt"}, // the row's folder is a link
        }) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> r.read("t", (Long) c[0], 1, (String) c[1], 100),
                    "row " + c[0] + ", " + c[1] + " is outside the root");
            assertEquals("no file " + c[1] + " in the attempt's folder", e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> r.read("linked", 1, 1, "secret.txt", 100));
        assertThrows(IllegalArgumentException.class, () -> r.read("t", 1, 1, "missing.txt", 100));
        assertThrows(IllegalArgumentException.class, () -> r.read("t", 1, 1, "model.txt", 2), "larger than 2 bytes");
        assertThrows(IllegalArgumentException.class, () -> r.read("t", 1, 1, "../2/attempt-1/secret.txt", 100));
    }

    /**
     * {@code root/t/1/attempt-1/} with model.txt, sub/w.bin, leak.txt (a link to the secret) and out
     * (a link to the secret's folder); {@code root/t/2/attempt-1} and {@code root/t/3} links to
     * folders outside; {@code root/linked} a table folder that is a link.
     */
    private Path layout() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Path row3 = Files.createDirectories(tmp.resolve("outside-row/attempt-1"));
        Files.writeString(row3.resolve("secret.txt"), "secret");
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path attempt = Files.createDirectories(root.resolve("t/1/attempt-1"));
        Files.writeString(attempt.resolve("model.txt"), "model");
        Files.createDirectories(attempt.resolve("sub"));
        Files.writeString(attempt.resolve("sub/w.bin"), "weights");
        Files.createSymbolicLink(attempt.resolve("leak.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(attempt.resolve("out"), outside);
        Files.createDirectories(root.resolve("t/2"));
        Files.createSymbolicLink(root.resolve("t/2/attempt-1"), outside);
        Files.createSymbolicLink(root.resolve("t/3"), tmp.resolve("outside-row"));
        Path linkedTable = Files.createDirectories(tmp.resolve("outside-table/1/attempt-1"));
        Files.writeString(linkedTable.resolve("secret.txt"), "secret");
        Files.createSymbolicLink(root.resolve("linked"), tmp.resolve("outside-table"));
        return root;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
