package org.experimenter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that open connections and never finish a request: the server keeps answering, the
 * client's own page too, keeps at most {@link WebServer#MAX_CONNECTIONS_PER_CLIENT} of one client's
 * connections, and closes a connection whose request is not read within its time.
 */
class SlowClientsTest {
    private static final int SLOW = 200;

    @TempDir
    Path dir;

    WebServer server;
    final List<Socket> slow = new ArrayList<>();

    @BeforeEach
    void serveAnEmptyTable() {
        ExperimentConfig c = TestDb.SQLITE.config(
                dir,
                TestDb.uniqueTable("slow"),
                "keyfields { x { type = int, values = [1, 2] } }\nresultfields { y = double }\n");
        new ExperimentStore(c).createTableIfMissing();
        server = WebServer.start(
                c,
                new WebServer.Options("127.0.0.1", 0, null, false, Duration.ofSeconds(1), "conf/slow.conf"),
                () -> {
                    throw new IllegalStateException("this test reads no evaluation");
                },
                false);
    }

    @AfterEach
    void closeAll() throws IOException {
        for (Socket s : slow) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void twoHundredUnfinishedRequestsFromOneClientLeaveTheApiAnswering() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long alone = meta(http);
        // the same client as the page's requests
        InetAddress slowClient = InetAddress.getByName("127.0.0.1");
        for (int i = 0; i < SLOW; i++) {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(slowClient, 0));
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            slow.add(s);
        }
        List<Long> beside = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            beside.add(meta(http));
        }
        System.out.println(
                "/api/meta alone " + alone + " ms, beside " + SLOW + " unfinished requests " + beside + " ms");
        long worst = beside.stream().mapToLong(Long::longValue).max().orElseThrow();
        // generous for a loaded machine; the JDK's server did not answer in 10 s
        assertTrue(worst < 3_000, "/api/meta took " + worst + " ms beside " + SLOW + " unfinished requests");

        // the server kept no more than the client's allowance of them, and closes those when their time is up
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        int open = SLOW;
        while (open > WebServer.MAX_CONNECTIONS_PER_CLIENT && System.nanoTime() < deadline) {
            open = stillOpen();
        }
        assertTrue(
                open > 0 && open <= WebServer.MAX_CONNECTIONS_PER_CLIENT,
                open + " connections of the client left open");
        Thread.sleep(WebServer.REQUEST_TIME.toMillis() + 1_500);
        assertEquals(0, stillOpen(), "connections left open past the time to send a request");
    }

    @Test
    void aRequestHeaderOverTheLimitIsRefused() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5_000);
            String big = "x".repeat(WebServer.MAX_HEADER_BYTES);
            s.getOutputStream()
                    .write(("GET /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + big + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(
                    answer.startsWith("HTTP/1.1 431"),
                    answer.lines().findFirst().orElse("(nothing)"));
        }
    }

    @Test
    void anAnswerSentBeforeTheRequestsBodyWasReadClosesTheConnection() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5_000);
            // an action, refused before its body is read (actions are off here); the body is not even sent yet
            s.getOutputStream()
                    .write(("POST /api/actions/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: 11\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n\r\n") < 0) {
                int b = in.read();
                assertTrue(b >= 0, "the answer ended within its headers: " + head);
                head.append((char) b);
            }
            assertTrue(head.toString().startsWith("HTTP/1.1 403"), head.toString());
            // a client that sent its next request on this connection would have it read after a body
            // the server skipped, or lost when the server closes the connection anyway
            assertTrue(
                    head.toString().toLowerCase(java.util.Locale.ROOT).contains("\r\nconnection: close\r\n"),
                    head.toString());
        }
    }

    /** The milliseconds /api/meta takes to answer, checking that it does. */
    private long meta(HttpClient http) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/meta"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"table\""), r.body());
        return millis;
    }

    /** How many of the slow sockets the server has not closed (reads see no end of stream). */
    private int stillOpen() throws IOException {
        int open = 0;
        for (Socket s : slow) {
            if (s.isClosed()) {
                continue;
            }
            s.setSoTimeout(1);
            try {
                InputStream in = s.getInputStream();
                // an answer (a 408, say) may come before the end
                while (in.read() >= 0) {
                    // read on to the end or to silence
                }
                s.close();
            } catch (SocketTimeoutException e) {
                open++;
            } catch (IOException e) {
                s.close();
            }
        }
        return open;
    }
}
