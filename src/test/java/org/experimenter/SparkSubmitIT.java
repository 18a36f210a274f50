package org.experimenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shaded application jar under SparkSubmit, as a user runs it: Spark's own jars on the
 * class path, everything else (our classes, JDBC drivers, config, CLI) only in the app jar.
 */
class SparkSubmitIT {
    @TempDir
    Path dir;

    /** Spark's class path: the test class path without this project's classes and bundled dependencies. */
    static String sparkClassPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> bundled = List.of(
                "/target/",
                "sqlite-jdbc",
                "/org/postgresql/",
                "/com/typesafe/config/",
                "/info/picocli/",
                "/org/jfree/",
                "junit",
                "opentest4j",
                "apiguardian");
        return Arrays.stream(cp.split(File.pathSeparator))
                .filter(e -> bundled.stream().noneMatch(e::contains))
                .collect(Collectors.joining(File.pathSeparator));
    }

    @ParameterizedTest
    @EnumSource(TestDb.class)
    void theApplicationJarRunsTheExampleUnderSparkSubmit(TestDb db) throws Exception {
        // -Dsubmit.databases=SQLITE (scripts/test, for the Spark 3.5 jar): the databases to run on
        String only = System.getProperty("submit.databases", "");
        Assumptions.assumeTrue(only.isBlank() || Arrays.asList(only.split(",")).contains(db.name()), "not asked for");
        String jar = System.getProperty("app.jar");
        assertTrue(Files.isRegularFile(Path.of(jar)), "the shaded jar exists: " + jar);
        String table = TestDb.uniqueTable("submit");
        String example = Files.readString(Path.of("conf/example.conf"));
        StringBuilder conf = new StringBuilder(example);
        for (Map.Entry<String, Object> e : db.database(dir, table).entrySet()) {
            conf.append('\n')
                    .append(e.getKey())
                    .append(" = \"")
                    .append(e.getValue())
                    .append('"');
        }
        Path confFile = dir.resolve("example.conf");
        Files.writeString(confFile, conf + "\n");
        Experimenter ex = Experimenter.load(confFile);
        assertEquals(80, ex.fill());
        try {
            String output = submit(jar, "run", "--config", confFile.toString());
            assertTrue(output.contains("done     80"), output);
            assertEquals(80L, ex.status().get(Status.DONE));
            for (Map<String, Object> r : TestDb.store(ex).rows()) {
                double acc = (Double) r.get("accuracy");
                assertTrue(acc > 0.5 && acc <= 1.0, "accuracy of a real kNN: " + r);
                assertEquals(90, r.get("test_size"));
            }

            // export reads the table through Spark's JDBC source with the driver from inside the app
            // jar, and writes with Spark's Parquet writer; plot reads it the same way and draws with
            // JFreeChart from inside the app jar: on one database (a spark-submit of its own each; the
            // run above loaded each database's driver from the app jar, and the unit tests export
            // from every database)
            if (db == TestDb.SQLITE) {
                String export = submit(
                        jar,
                        "export",
                        "--config",
                        confFile.toString(),
                        "--output",
                        dir.resolve("out").toString());
                assertTrue(export.contains(table + ".parquet (80 rows)"), export);
                Path png = dir.resolve("accuracy.png");
                submit(
                        jar,
                        "plot",
                        "--config",
                        confFile.toString(),
                        "--x",
                        "k",
                        "--y",
                        "accuracy",
                        "--output",
                        png.toString());
                java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
                assertEquals(800, img.getWidth());
            }
        } finally {
            ex.drop();
        }
    }

    /** Runs the application jar's command line under SparkSubmit in local mode; returns its output. */
    private String submit(String jar, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(System.getProperty("spark.jvm.flags").trim().split("\\s+")));
        cmd.addAll(org.experimenter.testing.ChildJvm.QUICK);
        cmd.addAll(List.of(
                "-cp",
                sparkClassPath(),
                "org.apache.spark.deploy.SparkSubmit",
                "--master",
                "local[2]",
                "--conf",
                "spark.ui.enabled=false",
                "--class",
                "org.experimenter.cli.Main",
                jar));
        cmd.addAll(Arrays.asList(args));
        Path out = dir.resolve("submit-" + args[0] + ".out");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "spark-submit " + args[0] + " finishes");
        String output = Files.readString(out);
        assertEquals(0, p.exitValue(), output);
        return output;
    }
}
