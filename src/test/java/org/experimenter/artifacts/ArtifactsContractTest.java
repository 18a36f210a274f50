package org.experimenter.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;
import org.experimenter.Experimenter;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;
import org.experimenter.web.WebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artifacts per row on each database, through Spark local mode: the files an attempt leaves in
 * its folder are listed in {@code <table>__artifacts} with sizes and digests, done or failed;
 * reset and drop remove folders and listings unless asked to keep them.
 */
abstract class ArtifactsContractTest {
    @TempDir
    Path dir;

    abstract TestDb db();

    /** Writes two files into its artifact folder; "fails" throws after writing, "none" never asks for one. */
    static final class Writes implements Experiment {
        private static final long serialVersionUID = 1L;
        /** Row id to the folder the experiment was given (local mode: the same JVM). */
        static final Map<Long, Path> GIVEN = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void run(ExperimentContext ctx) throws Exception {
            String what = ctx.parameters().getString("what");
            if (what.equals("none")) {
                ctx.results().put("n", 0);
                return;
            }
            Path d = ctx.artifactDir();
            GIVEN.put(ctx.id(), d);
            Files.writeString(d.resolve("model.txt"), "model of " + what);
            Files.createDirectories(d.resolve("sub"));
            Files.write(d.resolve("sub").resolve("w.bin"), new byte[1000]);
            if (what.equals("fails")) {
                throw new IllegalStateException("failed after writing its artifacts");
            }
            ctx.results().put("n", 1);
        }
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static long id(ExperimentStore store, String what) {
        return store.rows().stream()
                .filter(r -> what.equals(r.get("what")))
                .mapToLong(r -> ((Number) r.get("id")).longValue())
                .findFirst()
                .orElseThrow();
    }

    @Test
    void filesOfDoneAndFailedAttemptsAreListedAndResetAndDropRemoveThem() throws Exception {
        String table = TestDb.uniqueTable("artifacts");
        Path root = dir.resolve("artifact root");
        String hocon = String.join(
                "\n",
                "keyfields { what { type = string, values = [ok, fails, none] } }",
                "resultfields { n = int }",
                "max-attempts = 1",
                "artifacts.root = \"" + root.toUri() + "\"", // a file: URI
                "");
        Experimenter ex = Experimenter.of(db().config(dir, table, hocon));
        ExperimentStore store = TestDb.store(ex);
        try {
            assertEquals(3, ex.fill());
            ex.run(TestSpark.session(), new Writes());
            long ok = id(store, "ok");
            long fails = id(store, "fails");
            long none = id(store, "none");
            assertEquals("done", store.row(ok).get("status"));
            assertEquals("error", store.row(fails).get("status"));

            byte[] model = "model of ok".getBytes(StandardCharsets.UTF_8);
            List<Map<String, Object>> listed = store.artifacts().of(ok);
            assertEquals(
                    List.of(
                            Map.of(
                                    "attempt",
                                    1,
                                    "path",
                                    "model.txt",
                                    "bytes",
                                    (long) model.length,
                                    "sha256",
                                    sha256(model)),
                            Map.of(
                                    "attempt",
                                    1,
                                    "path",
                                    "sub/w.bin",
                                    "bytes",
                                    1000L,
                                    "sha256",
                                    sha256(new byte[1000]))),
                    listed);
            Path okFolder = root.resolve(table).resolve(Long.toString(ok)).resolve("attempt-1");
            assertEquals("model of ok", Files.readString(okFolder.resolve("model.txt")));
            assertEquals(2, store.artifacts().of(fails).size(), "a failed attempt's files are listed too");
            assertTrue(store.artifacts().of(none).isEmpty());
            assertFalse(Files.exists(root.resolve(table).resolve(Long.toString(none))), "no folder unless asked for");

            // the web view's row page lists them from the table
            try (WebServer server = WebServer.start(
                    ex.config(),
                    new WebServer.Options("127.0.0.1", 0, null, false, Duration.ofMillis(300), "test.conf"),
                    // the row page needs no Spark; a warm-up job reading the table could outlive the
                    // server and reopen the SQLite file while the test's folder is deleted
                    () -> {
                        throw new IllegalStateException("no Spark for the web view in this test");
                    },
                    false)) {
                HttpResponse<String> r = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create("http://127.0.0.1:" + server.port() + "/api/row?id=" + ok))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                JsonNode files = new ObjectMapper().readTree(r.body()).get("artifacts");
                assertEquals(2, files.size(), r.body());
                assertEquals("sub/w.bin", files.get(1).get("path").asText());
                assertEquals(1000, files.get(1).get("bytes").asLong());
                assertEquals(sha256(new byte[1000]), files.get(1).get("sha256").asText());

                String base = "http://127.0.0.1:" + server.port() + "/api/row/artifact?id=" + ok + "&attempt=1&path=";
                HttpResponse<String> file = get(base + "model.txt");
                assertEquals(200, file.statusCode(), file.body());
                assertEquals("model of ok", file.body());
                assertEquals(
                        "attachment; filename=\"model.txt\"",
                        file.headers().firstValue("Content-Disposition").orElse(""));
                assertEquals(
                        404,
                        get(base + "..%2F..%2F" + fails + "%2Fattempt-1%2Fmodel.txt")
                                .statusCode());
                assertEquals(404, get(base + "sub%2F..%2Fmodel.txt").statusCode(), "only paths the table lists");
                assertEquals(
                        404,
                        get(base.replace("attempt=1", "attempt=2") + "model.txt")
                                .statusCode());
                // an attempt beyond an int is refused, not cast into 1 (4294967297 wrapped to attempt 1)
                assertEquals(
                        400,
                        get(base.replace("attempt=1", "attempt=4294967297") + "model.txt")
                                .statusCode());
                // a listed file replaced by a link to somewhere else is not followed
                Path outside = dir.resolve("outside.txt");
                Files.writeString(outside, "not an artifact");
                Files.delete(okFolder.resolve("sub").resolve("w.bin"));
                Files.createSymbolicLink(okFolder.resolve("sub").resolve("w.bin"), outside);
                HttpResponse<String> link = get(base + "sub%2Fw.bin");
                assertEquals(404, link.statusCode(), link.body());
                assertFalse(link.body().contains("not an artifact"));
            }

            assertEquals(1, ex.resetIds(List.of(ok), true));
            assertEquals(2, store.artifacts().of(ok).size(), "--keep-artifacts keeps the listing");
            assertTrue(Files.exists(okFolder.resolve("model.txt")), "--keep-artifacts keeps the files");

            assertEquals(1, ex.resetIds(List.of(ok)));
            assertTrue(store.artifacts().of(ok).isEmpty());
            assertFalse(Files.exists(root.resolve(table).resolve(Long.toString(ok))));
            assertEquals(2, store.artifacts().of(fails).size(), "other rows keep theirs");
            assertTrue(Files.exists(root.resolve(table).resolve(Long.toString(fails))));
        } finally {
            ex.drop();
        }
        assertFalse(Files.exists(root.resolve(table)), "drop removes the table's folder");
    }

    @Test
    void aRootOnAnotherFileSystemIsStagedLocallyAndCopiedUpWhenTheAttemptEnds() throws Exception {
        String table = TestDb.uniqueTable("artifacts_fs");
        Path root = dir.resolve("remote");
        String hocon = String.join(
                "\n",
                "keyfields { what { type = string, values = [ok] } }",
                "resultfields { n = int }",
                "max-attempts = 1",
                "artifacts.root = \"" + StagingTestFileSystem.SCHEME + "://" + root + "\"",
                "");
        Experimenter ex = Experimenter.of(db().config(dir, table, hocon));
        ExperimentStore store = TestDb.store(ex);
        try {
            assertEquals(1, ex.fill());
            ex.run(TestSpark.session(), new Writes());
            long ok = id(store, "ok");
            assertEquals(
                    "done",
                    store.row(ok).get("status"),
                    String.valueOf(store.row(ok).get("error")));
            Path staged = Writes.GIVEN.get(ok);
            assertFalse(staged.startsWith(root), "the experiment wrote to a local staging folder: " + staged);
            assertFalse(Files.exists(staged), "the staging folder is removed once copied up");
            Path copied = root.resolve(table).resolve(Long.toString(ok)).resolve("attempt-1");
            assertEquals("model of ok", Files.readString(copied.resolve("model.txt")));
            assertEquals(1000, Files.size(copied.resolve("sub").resolve("w.bin")));
            assertEquals(2, store.artifacts().of(ok).size());
            ArtifactRoot r = ex.config().artifactRoot();
            assertEquals("model of ok", new String(r.read(table, ok, 1, "model.txt", 100), StandardCharsets.UTF_8));
            assertThrows(IllegalArgumentException.class, () -> r.read(table, ok, 1, "sub/w.bin", 999));
            assertThrows(IllegalArgumentException.class, () -> r.read(table, ok, 1, "../1/attempt-1/model.txt", 100));

            assertEquals(1, ex.resetIds(List.of(ok)));
            assertFalse(Files.exists(root.resolve(table).resolve(Long.toString(ok))), "removed through Hadoop");
        } finally {
            ex.drop();
        }
    }

    @Test
    void aCommandFindsItsFolderInItsEnvironmentAndThroughThePythonHelper() throws Exception {
        String table = TestDb.uniqueTable("artifacts_cmd");
        Path root = dir.resolve("plain-root");
        Path script = dir.resolve("writes.py");
        Files.writeString(
                script,
                String.join(
                        "\n",
                        "import os, experimenter",
                        "d = experimenter.artifact_dir()",
                        "assert d == os.environ['EXPERIMENTER_ARTIFACT_DIR'], d",
                        "open(os.path.join(d, 'out.txt'), 'w').write('from a command')",
                        "experimenter.result(n=1)",
                        ""));
        String hocon = String.join(
                "\n",
                "keyfields { seed { type = int, values = [1] } }",
                "resultfields { n = int }",
                "max-attempts = 1",
                "experiment { command = [\"" + python() + "\", \"" + script + "\"], run-dir = \"" + dir.resolve("runs")
                        + "\" }",
                "artifacts.root = \"" + root + "\"", // a plain path
                "");
        Experimenter ex = Experimenter.of(db().config(dir, table, hocon));
        ExperimentStore store = TestDb.store(ex);
        try {
            assertEquals(1, ex.fill());
            ex.run(TestSpark.session());
            Map<String, Object> row = store.rows().get(0);
            long id = ((Number) row.get("id")).longValue();
            assertEquals("done", row.get("status"), String.valueOf(row.get("error")));
            byte[] out = "from a command".getBytes(StandardCharsets.UTF_8);
            assertEquals(
                    List.of(Map.of("attempt", 1, "path", "out.txt", "bytes", (long) out.length, "sha256", sha256(out))),
                    store.artifacts().of(id));
            Path stored = root.resolve(table)
                    .resolve(Long.toString(id))
                    .resolve("attempt-1")
                    .resolve("out.txt");
            assertTrue(Files.exists(stored));

            // reproduce reruns the row in a scratch table: its files go elsewhere, the stored ones stay
            java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L);
            Files.setLastModifiedTime(stored, old);
            ex.reproduce(id, ex.experimentFromConfig());
            assertEquals(old, Files.getLastModifiedTime(stored), "the stored artifact was not rewritten");
            assertEquals(1, store.artifacts().of(id).size());
        } finally {
            ex.drop(true);
        }
        assertTrue(Files.exists(root.resolve(table)), "drop --keep-artifacts keeps the folder");
    }

    @Test
    void aPythonFunctionFindsItsFolderThroughTheHelperModule() throws Exception {
        String table = TestDb.uniqueTable("artifacts_fn");
        Path root = dir.resolve("fn-root");
        Path file = dir.resolve("fn.py");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "import os, experimenter",
                        "def run(parameters, result_processor, custom_config):",
                        "    d = experimenter.artifact_dir()",
                        "    with open(os.path.join(d, 'fn.txt'), 'w') as f:",
                        "        f.write('from a function')",
                        "    result_processor.process_results({'n': 1})",
                        ""));
        String hocon = String.join(
                "\n",
                "keyfields { seed { type = int, values = [1] } }",
                "resultfields { n = int }",
                "max-attempts = 1",
                "experiment { python { function = \"" + file + ":run\", interpreter = \"" + python() + "\" },",
                "  run-dir = \"" + dir.resolve("runs") + "\" }",
                "artifacts.root = \"" + root + "\"",
                "");
        Experimenter ex = Experimenter.of(db().config(dir, table, hocon));
        ExperimentStore store = TestDb.store(ex);
        try {
            assertEquals(1, ex.fill());
            ex.run(TestSpark.session());
            Map<String, Object> row = store.rows().get(0);
            long id = ((Number) row.get("id")).longValue();
            assertEquals("done", row.get("status"), String.valueOf(row.get("error")));
            byte[] out = "from a function".getBytes(StandardCharsets.UTF_8);
            assertEquals(
                    List.of(Map.of("attempt", 1, "path", "fn.txt", "bytes", (long) out.length, "sha256", sha256(out))),
                    store.artifacts().of(id));
        } finally {
            ex.drop();
        }
        assertFalse(Files.exists(root.resolve(table)));
    }

    @Test
    void aTableMadeBeforeArtifactsGetsItsArtifactsTableInPlace() throws Exception {
        String table = TestDb.uniqueTable("artifacts_old");
        Experimenter ex = Experimenter.of(db().config(dir, table, "keyfields { a { type = int, values = [1] } }\n"));
        ExperimentStore store = TestDb.store(ex);
        try {
            assertEquals(1, ex.fill());
            try (Connection c = store.connect();
                    Statement s = c.createStatement()) {
                s.execute("DROP TABLE " + table + "__artifacts"); // as an earlier version left it
            }
            assertEquals(1, ex.fill() + 1, "a second fill adds nothing");
            try (Connection c = store.connect();
                    Statement s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery("SELECT id, attempt, path, bytes, sha256 FROM " + table + "__artifacts")) {
                assertFalse(rs.next());
            }
        } finally {
            ex.drop();
        }
    }

    static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }
}
