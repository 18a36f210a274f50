package org.experimenter.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.experimenter.InvalidConfigException;

/**
 * Finds the file {@code --config} names, so that one spark-submit line works in both deploy
 * modes. A file shipped with {@code --files /local/example.conf} lands in the working directory
 * of every YARN container, where a cluster-mode driver finds it as {@code example.conf}; a
 * client-mode driver runs where spark-submit was started and gets no copy, so a bare file name
 * that is not in the working directory is looked up among the local files given to
 * {@code --files} (spark-submit hands them to the driver as the system properties
 * {@code spark.yarn.dist.files} on YARN, {@code spark.files} elsewhere; read directly, as a
 * SparkConf would start Spark's logging in commands that never use Spark).
 */
final class ConfigFile {
    private ConfigFile() {}

    static Path resolve(Path given) {
        return resolve(given, System::getProperty, Path.of("").toAbsolutePath());
    }

    static Path resolve(Path given, UnaryOperator<String> settings, Path workingDir) {
        if (Files.exists(given)) {
            return given;
        }
        List<String> shippedNames = new ArrayList<>();
        boolean remoteCopy = false;
        for (String key : List.of("spark.yarn.dist.files", "spark.files")) {
            String list = settings.apply(key);
            for (String entry : list == null ? new String[0] : list.split(",")) {
                if (entry.isBlank()) {
                    continue;
                }
                Shipped s = Shipped.parse(entry.trim());
                if (s == null) {
                    continue;
                }
                shippedNames.add(s.name);
                if (given.getParent() == null && s.name.equals(given.toString())) {
                    if (s.localPath != null && Files.isRegularFile(s.localPath)) {
                        return s.localPath;
                    }
                    remoteCopy |= s.localPath == null;
                }
            }
        }
        StringBuilder m = new StringBuilder(given + ": no such config file");
        if (!given.isAbsolute()) {
            m.append(" (working directory ").append(workingDir);
            if (!shippedNames.isEmpty()) {
                m.append("; shipped with --files: ").append(shippedNames);
            } else if (settings.apply("spark.submit.deployMode") != null) {
                m.append("; no file was shipped with --files");
            }
            if (remoteCopy) {
                m.append("; a driver outside the cluster reads the config only from a local path given to --files");
            }
            m.append(")");
        }
        throw new InvalidConfigException(m.toString());
    }

    /** One entry of a --files list: {@code path[#name]}; only its name is ever printed. */
    private static final class Shipped {
        final String name;
        final Path localPath;

        private Shipped(String name, Path localPath) {
            this.name = name;
            this.localPath = localPath;
        }

        static Shipped parse(String entry) {
            try {
                URI uri = new URI(entry);
                String path = uri.getPath();
                if (path == null || path.isEmpty()) {
                    return null;
                }
                String name = uri.getFragment() != null
                        ? uri.getFragment()
                        : Path.of(path).getFileName().toString();
                boolean local =
                        uri.getScheme() == null || "file".equals(uri.getScheme()) || "local".equals(uri.getScheme());
                return new Shipped(name, local ? Path.of(path) : null);
            } catch (URISyntaxException | IllegalArgumentException e) {
                // a plain path with characters a URI refuses (spaces): spark-submit accepts those too
                Path p = Path.of(entry);
                return p.getFileName() == null
                        ? null
                        : new Shipped(p.getFileName().toString(), p);
            }
        }
    }
}
