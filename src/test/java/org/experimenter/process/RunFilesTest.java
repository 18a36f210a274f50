package org.experimenter.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A promoted row's scratch folder starts as a copy of its parent's, on the real file system. */
class RunFilesTest {
    @TempDir
    Path dir;

    /**
     * Links in the parent's scratch folder are copied as links: a relative "latest" link keeps
     * pointing into the copy, a dangling one stays (it failed the row before), a link to a data set
     * outside is not copied as the data set, and a named pipe is skipped (copying one blocked the
     * row forever).
     */
    @Test
    void linksAndPipesInTheParentsScratchFolderAreNotFollowed() throws Exception {
        Path runDir = dir.resolve("run");
        Path parent = runDir.resolve("t").resolve("1").resolve("scratch");
        Files.createDirectories(parent);
        Files.writeString(parent.resolve("ckpt-1"), "weights");
        Files.createSymbolicLink(parent.resolve("latest"), Path.of("ckpt-1"));
        Files.createSymbolicLink(parent.resolve("old"), Path.of("ckpt-0"));
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("big.bin"), "data set");
        Files.createSymbolicLink(parent.resolve("data"), data);
        Process mk = new ProcessBuilder("mkfifo", parent.resolve("pipe").toString()).start();
        assertEquals(0, mk.waitFor());

        RunFiles f = Assertions.assertTimeoutPreemptively(
                Duration.ofSeconds(20), () -> RunFiles.create(runDir, "t", 2, 1, 1L));

        Path s = f.scratch();
        assertEquals("weights", Files.readString(s.resolve("ckpt-1"), StandardCharsets.UTF_8));
        assertTrue(Files.isSymbolicLink(s.resolve("latest")));
        assertEquals(Path.of("ckpt-1"), Files.readSymbolicLink(s.resolve("latest")));
        assertTrue(Files.isSymbolicLink(s.resolve("old")));
        assertTrue(Files.isSymbolicLink(s.resolve("data")));
        assertEquals(data, Files.readSymbolicLink(s.resolve("data")));
        assertFalse(Files.exists(s.resolve("pipe"), LinkOption.NOFOLLOW_LINKS));
        // the data set outside is as it was
        assertEquals("data set", Files.readString(data.resolve("big.bin")));
    }
}
