package org.experimenter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.experimenter.testing.ChildJvm;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code experimenter serve} as a user starts it: its options, its address, its answers, its stop. */
class ServeCommandTest {
    @TempDir
    Path dir;

    Path conf;
    String table;

    @BeforeEach
    void writeConfigAndFill() throws Exception {
        table = TestDb.uniqueTable("serve");
        conf = dir.resolve("serve.conf");
        Files.writeString(
                conf,
                "database { url = \"jdbc:sqlite:" + dir.resolve("serve.db") + "\", table = " + table + " }\n"
                        + "keyfields { x { type = int, values = [1, 2, 3] }, seed { type = int, values = [0, 1] } }\n"
                        + "resultfields { score = double }\n");
        assertEquals(0, Main.execute("fill", "-c", conf.toString()));
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingListens() {
        for (String[] bad : new String[][] {
            {"--refresh", "5ms", "--refresh 5ms: expected 200ms to 1h"},
            {"--token", "short", "--token: at least 16 characters"},
            {"--port", "70000", "--port 70000: expected 0 to 65535"},
            {"--host", "192.0.2.1", "cannot listen on 192.0.2.1"}
        }) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.execute(
                    new PrintWriter(err, true, StandardCharsets.UTF_8), "serve", "-c", conf.toString(), bad[0], bad[1]);
            assertEquals(1, code, bad[0] + " " + bad[1]);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains(bad[2]), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void servePrintsItsAddressAnswersAndStopsOnSigterm() throws Exception {
        Path log = dir.resolve("serve.log");
        Process p = ChildJvm.start(log, "org.experimenter.cli.Main", "serve", "-c", conf.toString(), "--port", "0");
        try {
            Pattern address =
                    Pattern.compile("serving " + table + " at (http://127\\.0\\.0\\.1:(\\d+)/) \\(read-only\\)");
            Matcher m = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && p.isAlive()) {
                m = address.matcher(Files.readString(log));
                if (m.find()) {
                    break;
                }
                m = null;
                Thread.sleep(100);
            }
            assertTrue(m != null, "no address printed:\n" + Files.readString(log));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(m.group(1) + "api/overview"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("\"created\":6"), r.body());
            p.destroy();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "serve stopped on SIGTERM");
            String url = m.group(1);
            try {
                http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
                throw new AssertionError("still answering after it stopped");
            } catch (ConnectException expected) {
                // nothing listens any more
            }
        } finally {
            p.destroyForcibly();
        }
    }
}
