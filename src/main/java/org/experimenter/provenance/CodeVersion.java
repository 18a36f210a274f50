package org.experimenter.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.experimenter.config.CommandSettings;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.process.ProgramOutput;

/**
 * The provenance of a config's experiment, found once per JVM and config: the code is the
 * Python function's file, the first argument of the command that names a file (the script an
 * interpreter runs) or else its program, or the jar or class folder the experiment class was
 * loaded from. When that lies in a git work tree,
 * the version is its HEAD commit and whether tracked files have changes; otherwise the sha-256
 * of the file (of a folder: of its files' paths and contents). Git runs with an argument list
 * ({@code git -C <folder> rev-parse HEAD}), never through a shell.
 */
public final class CodeVersion {
    private static final Map<String, Provenance> CACHE = new ConcurrentHashMap<>();

    private CodeVersion() {}

    /** Forgets what was computed: between two commands of the daemon, whose code may have changed. */
    public static void forget() {
        CACHE.clear();
    }

    /**
     * The provenance of this config's runs with this experiment class (the config's when null),
     * computed at the first call in this JVM.
     */
    public static Provenance of(ExperimentConfig config, Class<?> experimentClass) {
        String json = config.effectiveJsonWithoutSecrets();
        String key = json + "\n" + (experimentClass == null ? "" : experimentClass.getName());
        return CACHE.computeIfAbsent(key, k -> {
            Path code = codeOf(config, experimentClass);
            String version = null;
            Boolean dirty = null;
            if (code != null) {
                Path dir =
                        Files.isDirectory(code) ? code : code.toAbsolutePath().getParent();
                String commit = dir == null ? null : git(dir, "rev-parse", "HEAD");
                if (commit != null && commit.matches("[0-9a-f]{40,64}")) {
                    version = commit;
                    String status = git(dir, "status", "--porcelain", "--untracked-files=no");
                    dirty = status == null ? null : !status.isEmpty();
                } else {
                    version = digest(code);
                }
            }
            return new Provenance(sha256(json.getBytes(StandardCharsets.UTF_8)), version, dirty);
        });
    }

    /** The file (or class folder) that holds the experiment's code, or null when none is found. */
    static Path codeOf(ExperimentConfig config, Class<?> experimentClass) {
        if (config.python() != null) {
            String f = config.python().function();
            String where = f.substring(0, f.lastIndexOf(':'));
            Path p = Path.of(where);
            return where.endsWith(".py") && Files.isRegularFile(p) ? p : null;
        }
        CommandSettings command = config.command();
        if (command != null) {
            // the script an interpreter runs (python3 train.py), else the program itself (./run.sh)
            Path wd = command.workingDir().isEmpty() ? Path.of("") : Path.of(command.workingDir());
            List<String> words = command.command();
            // a program of the user's own (./train, bin/run.sh) is the code; an interpreter's (python3,
            // /usr/bin/Rscript) is the first file it is given
            Path program = words.isEmpty() ? null : fileOf(wd, words.get(0));
            if (program != null && !words.get(0).startsWith("/")) {
                return program;
            }
            for (String word : words.subList(Math.min(1, words.size()), words.size())) {
                Path p = fileOf(wd, word);
                if (p != null) {
                    return p;
                }
            }
            return words.isEmpty() ? null : fileOf(wd, words.get(0));
        }
        try {
            Class<?> c = experimentClass;
            if (c == null
                    || c.getName().startsWith("org.experimenter.process.")
                    || c.getName().startsWith("org.experimenter.python.")) {
                if (config.experimentClass().isEmpty()) {
                    return null;
                }
                c = Class.forName(
                        config.experimentClass(), false, Thread.currentThread().getContextClassLoader());
            }
            CodeSource src = c.getProtectionDomain().getCodeSource();
            return src == null || src.getLocation() == null
                    ? null
                    : Path.of(src.getLocation().toURI());
        } catch (ClassNotFoundException | LinkageError | URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static Path fileOf(Path wd, String word) {
        if (word.isEmpty() || word.contains("{") || word.startsWith("-")) {
            return null;
        }
        try {
            Path p = wd.resolve(word);
            return Files.isRegularFile(p) ? p : null;
        } catch (RuntimeException notAPath) {
            return null;
        }
    }

    /** The first line git prints, or null when git is missing, fails or takes too long. */
    static String git(Path dir, String... args) {
        List<String> argv = new ArrayList<>(List.of("git", "-C", dir.toString()));
        argv.addAll(List.of(args));
        String out = ProgramOutput.of(argv, Duration.ofSeconds(30));
        return out == null ? null : out.trim();
    }

    /** {@code sha256:<hex>} of a file, or of a folder's relative paths and contents in path order. */
    static String digest(Path code) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            if (Files.isDirectory(code)) {
                List<Path> files;
                try (Stream<Path> s = Files.walk(code)) {
                    files = s.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path f : files) {
                    md.update(code.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                    md.update((byte) 0);
                    update(md, f);
                }
            } else {
                update(md, code);
            }
            return "sha256:" + HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM; this is a bug", e);
        }
    }

    /** Adds a file's bytes to the digest, read in pieces: a large file is never held whole. */
    private static void update(MessageDigest md, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM; this is a bug", e);
        }
    }
}
