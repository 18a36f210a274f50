package org.experimenter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
            assertNotEquals(a.key(), DaemonAddress.of(line).key(), "another secret, another key");
        } finally {
            System.setProperty("user.home", userHome);
            try (var files = Files.walk(home)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }
}
