package org.experimenter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two {@code serve} with tokens on one host, opened in one browser: each keeps its own cookie. */
class TwoServersOneHostTest {
    @TempDir
    Path dir;

    @Test
    void eachServerKeepsItsTokenCookieBesideTheOther() throws Exception {
        // a browser's cookie jar: cookies by host and path, whatever the port
        HttpClient browser = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        try (WebServer a = serve("token-of-server-a-0123456789");
                WebServer b = serve("token-of-server-b-0123456789")) {
            assertEquals(303, get(browser, a, "/?token=token-of-server-a-0123456789"));
            assertEquals(303, get(browser, b, "/?token=token-of-server-b-0123456789"));
            assertEquals(200, get(browser, a, "/api/meta"), "server a after server b set its cookie");
            assertEquals(200, get(browser, b, "/api/meta"), "server b");
            String cookies = ((CookieManager) browser.cookieHandler().orElseThrow())
                    .getCookieStore()
                    .getCookies()
                    .toString();
            assertTrue(cookies.contains(Access.cookieName(a.port()) + "="), cookies);
            assertTrue(cookies.contains(Access.cookieName(b.port()) + "="), cookies);
        }
    }

    private WebServer serve(String token) {
        ExperimentConfig c = TestDb.SQLITE.config(
                dir,
                TestDb.uniqueTable("cookie"),
                "keyfields { x { type = int, values = [1] } }\nresultfields { y = double }\n");
        new ExperimentStore(c).createTableIfMissing();
        return WebServer.start(
                c,
                new WebServer.Options("0.0.0.0", 0, token, false, Duration.ofSeconds(1), "conf/cookie.conf"),
                () -> {
                    throw new IllegalStateException("this test reads no evaluation");
                },
                false);
    }

    private static int get(HttpClient browser, WebServer server, String path) throws Exception {
        return browser.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
