package org.experimenter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/**
 * The daemon's address (its socket's name, shown in the daemon's command line to every user) is
 * keyed with a random secret of the user's folder of daemons: the same for every command of the
 * user, readable by the user alone, and no digest of what the command line holds (its environment's
 * passwords among it) that another user could test guesses against.
 */
class DaemonAddressTest {
    @Test
    void theAddressIsKeyedWithASecretOfTheUsersFolder() throws Exception {
        Path home = Files.createTempDirectory(Path.of("/tmp"), "exa");
        String userHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            Path line = Files.writeString(home.resolve("line"), "java\0org.experimenter.cli.Daemon\0");
            DaemonAddress a = DaemonAddress.of(line);
            Path secret = home.resolve(".cache/experimenter/daemons/secret");
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)),
                    "the secret's mode");
            assertEquals(64, Files.readString(secret).length(), "32 random bytes, hex");
            assertEquals(a, DaemonAddress.of(line), "every command of the user keys alike");

            Files.writeString(secret, "0".repeat(64));
            DaemonAddress other = DaemonAddress.of(line);
            assertNotEquals(a.key(), other.key(), "another secret, another key");

            // a secret others may read, or a link, is none: it is replaced (the folder is the user's alone)
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
            DaemonAddress replaced = DaemonAddress.of(line);
            assertNotEquals(other.key(), replaced.key(), "a secret others could read is replaced");
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)),
                    "the new one's mode");
            Path known = Files.writeString(home.resolve("known"), "0".repeat(64));
            Files.delete(secret);
            Files.createSymbolicLink(secret, known);
            assertNotEquals(other.key(), DaemonAddress.of(line).key(), "a link is replaced, not followed");
            assertFalse(Files.isSymbolicLink(secret));
        } finally {
            System.setProperty("user.home", userHome);
            try (var files = Files.walk(home)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    /** A fifo named like a daemon's lock (planted while the folder was open to others) is no daemon, and blocks no one. */
    @Test
    void aFifoInTheDaemonsFolderIsNoDaemonAndBlocksNoCommand() throws Exception {
        Path folder = Files.createTempDirectory(Path.of("/tmp"), "exf");
        try {
            Path fifo = folder.resolve("0123456789abcdef.lock");
            assertEquals(
                    0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
            java.util.concurrent.ExecutorService one = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "live");
                t.setDaemon(true); // a blocked open cannot be interrupted
                return t;
            });
            try {
                assertEquals(
                        0, one.submit(() -> DaemonClient.live(folder)).get(10, java.util.concurrent.TimeUnit.SECONDS));
            } finally {
                one.shutdownNow();
                // a reader that was blocked opening the fifo for writing: release it
                new ProcessBuilder("sh", "-c", "timeout 1 cat " + fifo + " > /dev/null")
                        .start()
                        .waitFor();
            }
        } finally {
            try (var files = Files.walk(folder)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }
}
