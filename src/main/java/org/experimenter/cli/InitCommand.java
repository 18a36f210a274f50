package org.experimenter.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.experimenter.ExperimenterException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code experimenter init DIR}: writes a starter project (a Maven pom depending on this project,
 * one experiment class, one config, a {@code run} script) from the templates under {@code
 * starter/} in the jar. {@code ./run} in it builds the project and runs its experiments.
 */
@Command(
        name = "init",
        description = "Write a starter project of your own into DIR: a Maven pom, one experiment class, one config"
                + " and a run script (./run builds it and runs the experiments).")
final class InitCommand implements Callable<Integer> {
    private static final Pattern JAVA_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    @Parameters(paramLabel = "DIR", description = "A new or empty folder.")
    Path dir;

    @Option(names = "--package", description = "The Java package of the experiment class (default: com.example).")
    String pkg = "com.example";

    @Option(names = "--class", description = "The experiment class (default: MyExperiment).")
    String cls = "MyExperiment";

    @Option(names = "--group-id", description = "The Maven groupId (default: the package).")
    String groupId;

    @Option(names = "--artifact-id", description = "The Maven artifactId (default: the folder's name).")
    String artifactId;

    // --verbose as every command has it; read by Main's exception handler
    @Option(names = "--verbose", description = "Print stack traces of errors, and the tool's detail log lines.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        if (Files.exists(target) && (!Files.isDirectory(target) || !isEmpty(target))) {
            throw new ExperimenterException(dir + ": exists and is not an empty folder; init writes a new project");
        }
        for (String part : pkg.split("\\.", -1)) {
            if (!JAVA_NAME.matcher(part).matches()) {
                throw new ExperimenterException("--package " + pkg + ": not a Java package name");
            }
        }
        if (!JAVA_NAME.matcher(cls).matches()) {
            throw new ExperimenterException("--class " + cls + ": not a Java class name");
        }
        String artifact = artifactId != null
                ? artifactId
                : artifactFrom(target.getFileName().toString());
        if (!artifact.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new ExperimenterException("--artifact-id " + artifact + ": not a Maven artifactId");
        }
        String table = artifact.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (!table.matches("[a-z].*")) {
            table = "t_" + table;
        }
        Properties versions = new Properties();
        try (InputStream in = resource("version.properties")) {
            versions.load(in);
        }
        String home = System.getProperty("experimenter.home", "");
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("@GROUP_ID@", groupId != null ? groupId : pkg);
        tokens.put("@ARTIFACT_ID@", artifact);
        tokens.put("@PACKAGE_PATH@", pkg.replace('.', '/'));
        tokens.put("@PACKAGE@", pkg);
        tokens.put("@CLASS@", cls);
        tokens.put("@TABLE@", table);
        tokens.put("@EXPERIMENTER_VERSION@", versions.getProperty("experimenter.version"));
        tokens.put("@SPARK_VERSION@", versions.getProperty("spark.version"));
        tokens.put("@EXPERIMENTER_HOME@", home);

        Path java =
                target.resolve("src/main/java").resolve(pkg.replace('.', '/')).resolve(cls + ".java");
        List<String[]> files = List.of(
                new String[] {"pom.xml", "pom.xml"},
                new String[] {"Experiment.java", target.relativize(java).toString()},
                new String[] {"experiment.conf", "conf/experiment.conf"},
                new String[] {"run", "run"},
                new String[] {"README.md", "README.md"},
                new String[] {"gitignore", ".gitignore"});
        for (String[] f : files) {
            Path out = target.resolve(f[1]);
            Files.createDirectories(out.getParent());
            Files.writeString(out, fill(template(f[0]), tokens));
        }
        Path run = target.resolve("run");
        try {
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            run.toFile().setExecutable(true);
        }
        System.out.println("wrote a starter project to " + target + ":");
        for (String[] f : files) {
            System.out.println("  " + f[1]);
        }
        System.out.println("build it and run its experiments: " + target + "/run"
                + (home.isEmpty() ? "  (with EXPERIMENTER_HOME set to the spark-experimenter folder)" : ""));
        return 0;
    }

    /** A folder name as an artifactId: my_exps, "My Exps" -> my-exps. */
    static String artifactFrom(String name) {
        String a =
                name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]+", "-").replaceAll("^-+|-+$", "");
        return a.isEmpty() ? "my-experiments" : a;
    }

    private static boolean isEmpty(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.findAny().isEmpty();
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = InitCommand.class.getClassLoader().getResourceAsStream("starter/" + name);
        if (in == null) {
            throw new IOException("starter/" + name + " is not on the class path; this is a bug in the build");
        }
        return in;
    }

    private static String template(String name) throws IOException {
        try (InputStream in = resource(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String fill(String text, Map<String, String> tokens) {
        String out = text;
        for (Map.Entry<String, String> t : tokens.entrySet()) {
            out = out.replace(t.getKey(), t.getValue());
        }
        return out;
    }
}
