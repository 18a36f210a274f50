package org.experimenter.artifacts;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only folders the tool made are removed: a root and table naming someone else's folder lose nothing. */
class ArtifactRootRemovalTest {
    @TempDir
    Path dir;

    @Test
    void aTableFolderTheToolDidNotMakeIsLeftAsItIs() throws Exception {
        // root = "." and table = src, as a config could say: src/ is the user's code
        Path code = Files.createDirectories(dir.resolve("src").resolve("7"));
        Files.writeString(code.resolve("Main.java"), "class Main {}");
        ArtifactRoot root = ArtifactRoot.of(dir.toString());
        root.removeTable("src");
        root.removeRows("src", List.of(7L));
        assertTrue(Files.exists(code.resolve("Main.java")), "before, drop and reset deleted it");
    }

    @Test
    void theFoldersOfAttemptsItOpenedAreRemoved() throws Exception {
        ArtifactRoot root = ArtifactRoot.of(dir.toString());
        AttemptArtifacts a = root.open("results", 3, 1);
        assertTrue(Files.isDirectory(dir.resolve("results").resolve("3").resolve("attempt-1")), "opened");
        root.removeRows("results", List.of(3L));
        assertFalse(Files.exists(dir.resolve("results").resolve("3")));
        root.open("results", 4, 1);
        root.removeTable("results");
        assertFalse(Files.exists(dir.resolve("results")));
    }
}
