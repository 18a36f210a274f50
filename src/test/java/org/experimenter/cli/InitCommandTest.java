package org.experimenter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.experimenter.Experimenter;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code experimenter init}: the starter project's files, its config valid, its experiment
 * compiling against this API and running a row. scripts/dev/starter-check (CI) runs README.md's
 * starter line as written: the starter built with Maven and run through scripts/experimenter.
 */
class InitCommandTest {
    @TempDir
    Path dir;

    @Test
    void initWritesAProjectWhoseExperimentCompilesAndRunsARowOfItsConfig() throws Exception {
        Path project = dir.resolve("Pi Estimates");
        assertEquals(0, Main.execute("init", project.toString(), "--package", "org.example.pi", "--class", "Pi"));

        String pom = Files.readString(project.resolve("pom.xml"));
        assertTrue(pom.contains("<artifactId>pi-estimates</artifactId>"), pom);
        assertTrue(pom.contains("<groupId>org.example.pi</groupId>"), pom);
        assertTrue(
                pom.contains("<artifactId>spark-experimenter</artifactId>\n      <version>0.1.0-SNAPSHOT</version>\n"
                        + "      <scope>provided</scope>"),
                pom);
        assertTrue(Files.isExecutable(project.resolve("run")));
        assertTrue(Files.readString(project.resolve("run")).contains("--jars target/pi-estimates-0.1.0-SNAPSHOT.jar"));

        ExperimentConfig config = ExperimentConfig.load(project.resolve("conf/experiment.conf"));
        assertEquals("org.example.pi.Pi", config.experimentClass());
        assertEquals("pi_estimates", config.table());
        assertEquals(12, config.grid().size());

        Path source = project.resolve("src/main/java/org/example/pi/Pi.java");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = javac.run(
                null,
                out,
                out,
                "-cp",
                ChildJvm.classPath(),
                "-d",
                classes.toString(),
                "-Xlint:all",
                "-Werror",
                source.toString());
        assertEquals(0, rc, out.toString(StandardCharsets.UTF_8));

        ExperimentConfig local = config.withOverrides(Map.of("database.url", "jdbc:sqlite:" + dir.resolve("pi.db")));
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {classes.toUri().toURL()}, previous)) {
            Thread.currentThread().setContextClassLoader(loader);
            Experimenter ex = Experimenter.of(local);
            Map<String, Object> row = ex.runOne(Map.of("samples", "10000", "seed", "1"), ex.experimentFromConfig());
            assertEquals("done", row.get("status"), String.valueOf(row.get("error")));
            assertEquals(Math.PI, (Double) row.get("estimate"), 0.1);
            assertEquals(Math.abs((Double) row.get("estimate") - Math.PI), (Double) row.get("abs_error"), 1e-12);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Test
    void initRefusesAFolderThatIsNotEmpty() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "mine");
        java.io.StringWriter err = new java.io.StringWriter();
        assertEquals(1, Main.execute(new PrintWriter(err, true), "init", dir.toString()));
        assertEquals(
                "error: " + dir + ": exists and is not an empty folder; init writes a new project",
                err.toString().trim());
        assertEquals(List.of(dir.resolve("notes.txt")), Files.list(dir).toList());
    }
}
