package org.experimenter.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.experimenter.process.ShellVariables;

/**
 * Where the daemon of a command line listens: a Unix socket in a folder only this user can
 * enter, named by a digest of everything a command's outcome may depend on besides its
 * arguments: the JVM's command line (class path, options), the jars' sizes and times, the
 * working folder and the environment (less the variables a shell changes between commands, which
 * the command line sends with each command: {@link ShellVariables}). A command differing in any
 * of these gets a daemon of its own (or none: {@link #MAX_DAEMONS}). The digest is keyed with a
 * random secret of the folder: every daemon's command line shows it, and it gives nothing of
 * them away.
 *
 * @param dir the user's folder of daemons
 * @param key the digest, 16 hex digits
 */
record DaemonAddress(Path dir, String key) {
    /** Daemons of one user at most; a command finding this many runs in its own JVM. */
    static final int MAX_DAEMONS = 3;

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    Path socket() {
        return dir.resolve(key + ".sock");
    }

    Path lock() {
        return dir.resolve(key + ".lock");
    }

    Path log() {
        return dir.resolve(key + ".log");
    }

    /**
     * The address of this JVM's command line, whose daemon would be started by the line that
     * {@code lineFile} holds (its arguments, one per line); null when there can be no daemon (no
     * private folder for its socket).
     */
    static DaemonAddress of(Path lineFile) throws IOException {
        Path dir = folder();
        if (dir == null) {
            return null;
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            return null;
        }
        // a secret of the user's folder first: the key shows in every daemon's command line (ps), and
        // without it anyone could test guesses of the environment's passwords against it
        add(sha, secret(dir));
        add(sha, Files.readString(lineFile));
        add(sha, System.getProperty("user.dir"));
        add(sha, System.getProperty("java.home"));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            add(sha, entry);
            if (Files.isRegularFile(p)) {
                add(sha, Files.size(p) + "/" + Files.getLastModifiedTime(p).toMillis());
            }
        }
        // the process's state that the environment does not show, which the daemon would have
        // from the command that started it: the umask of the files a command writes (an export's
        // folder, a new SQLite file), the resource limits (ulimit), the processors it may use
        // (taskset: local[*]'s cores), its niceness and its control groups (memory, CPU limits)
        add(sha, processState());
        for (Map.Entry<String, String> e : new TreeMap<>(System.getenv()).entrySet()) {
            if (!ShellVariables.NAMES.contains(e.getKey()) && !e.getKey().startsWith("EXPERIMENTER_DAEMON")) {
                add(sha, e.getKey() + "=" + e.getValue());
            }
        }
        return new DaemonAddress(dir, HexFormat.of().formatHex(sha.digest()).substring(0, 16));
    }

    /**
     * The random secret of the user's folder of daemons ({@code secret}, mode 0600 as the folder
     * is 0700), made by the first command that needs it: a secret another command made meanwhile
     * is never replaced, so that both key their daemons alike.
     */
    private static String secret(Path dir) throws IOException {
        Path secret = dir.resolve("secret");
        if (Files.exists(secret, LinkOption.NOFOLLOW_LINKS) && !mine(secret)) {
            // a link, another user's file or one others may read: no secret; the folder is the
            // user's alone, so it is replaced
            Files.delete(secret);
        }
        if (!Files.exists(secret, LinkOption.NOFOLLOW_LINKS)) {
            byte[] random = new byte[32];
            new java.security.SecureRandom().nextBytes(random);
            Path made = Files.createTempFile(dir, "secret", ".new", PosixFilePermissions.asFileAttribute(OWNER_FILE));
            try {
                Files.writeString(made, HexFormat.of().formatHex(random));
                Files.createLink(secret, made); // fails when another command's secret is there
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made by another command meanwhile: that one is the secret
            } finally {
                Files.delete(made);
            }
        }
        if (!mine(secret)) {
            throw new IOException(secret + " is not a file for this user alone");
        }
        return Files.readString(secret, StandardCharsets.US_ASCII).strip();
    }

    /** A regular file of this user that only this user may read or write. */
    private static boolean mine(Path file) throws IOException {
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.isRegularFile()
                && a.owner().getName().equals(System.getProperty("user.name"))
                && a.permissions().equals(OWNER_FILE);
    }

    /** This JVM's state of {@link #of} from /proc; empty where there is none. */
    private static String processState() {
        StringBuilder state = new StringBuilder();
        // the credentials (user and group ids, groups, capabilities, no-new-privileges, seccomp) too:
        // a command run under another group (setpriv, sg, newgrp) makes its files with that group
        for (String line : read("/proc/self/status").split("\n")) {
            if (line.startsWith("Umask:")
                    || line.startsWith("Cpus_allowed_list:")
                    || line.startsWith("Uid:")
                    || line.startsWith("Gid:")
                    || line.startsWith("Groups:")
                    || line.startsWith("Cap")
                    || line.startsWith("NoNewPrivs:")
                    || line.startsWith("Seccomp:")) {
                state.append(line).append('\n');
            }
        }
        // the namespaces (mount, network, ...): another mount namespace sees other files
        for (String ns : List.of("mnt", "net", "pid", "ipc", "uts", "user", "cgroup")) {
            state.append(ns).append(' ').append(link("/proc/self/ns/" + ns)).append('\n');
        }
        // the niceness: the 19th field of stat, the 17th after the command's name in parentheses
        String stat = read("/proc/self/stat");
        String[] fields = stat.substring(stat.lastIndexOf(')') + 1).trim().split(" ");
        if (fields.length > 16) {
            state.append("nice ").append(fields[16]).append('\n');
        }
        return state.append(read("/proc/self/limits"))
                .append(read("/proc/self/cgroup"))
                .toString();
    }

    private static String link(String file) {
        try {
            return Files.readSymbolicLink(Path.of(file)).toString();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static void add(MessageDigest sha, String s) {
        sha.update(s.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
    }

    /**
     * The user's folder of daemons, made when missing: ~/.cache/experimenter/daemons, or a folder
     * of its own under /tmp when that path is too long for a socket's name; null when the folder
     * is not this user's alone (any other user could then reach the daemon).
     */
    private static Path folder() throws IOException {
        String user = System.getProperty("user.name");
        List<Path> candidates = List.of(
                Path.of(System.getProperty("user.home"), ".cache", "experimenter", "daemons"),
                Path.of(System.getProperty("java.io.tmpdir"), "experimenter-daemons-" + user));
        for (Path dir : candidates) {
            // a socket's path has at most 107 bytes on Linux: the folder, a slash and 16 + 5
            if (dir.toString().getBytes(StandardCharsets.UTF_8).length > 80) {
                continue;
            }
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // made by another command meanwhile: checked below like any other
                }
            }
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory() || !a.owner().getName().equals(user)) {
                return null;
            }
            if (!a.permissions().equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(dir, OWNER_ONLY);
            }
            return dir;
        }
        return null;
    }
}
