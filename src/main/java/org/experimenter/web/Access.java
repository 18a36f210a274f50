package org.experimenter.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/**
 * Who may read and who may act. On a loopback address the server answers only requests whose
 * {@code Host} names a loopback address, so that a web page elsewhere cannot reach it through a
 * DNS name pointed at 127.0.0.1; anywhere else every request needs the token, sent as the cookie
 * {@code experimenter_token_<port>} (set when the address with {@code ?token=...} is opened once),
 * as {@code Authorization: Bearer ...} or as {@code X-Experimenter-Token}. The cookie is named after
 * the port because browsers keep cookies per host, not per port: two servers on one host would
 * otherwise overwrite each other's token. Actions are POSTs that carry
 * the CSRF token of {@code /api/meta} in {@code X-CSRF-Token} and, when the browser sends an
 * {@code Origin}, come from this server's own pages.
 */
final class Access {
    private static final String COOKIE = "experimenter_token_";
    static final String CSRF_HEADER = "X-CSRF-Token";

    private final String token;
    private final boolean loopback;
    private final String cookie;
    private final String csrf = random();

    /**
     * @param token the token every request must carry, or null for none (loopback only)
     * @param loopback whether the server listens on a loopback address only
     * @param port the port listened on, which names the cookie
     */
    Access(String token, boolean loopback, int port) {
        if (token == null && !loopback) {
            throw new IllegalArgumentException("a server off loopback needs a token; this is a bug");
        }
        this.token = token;
        this.loopback = loopback;
        this.cookie = cookieName(port);
    }

    /** The name of the token's cookie of the server on a port. */
    static String cookieName(int port) {
        return COOKIE + port;
    }

    /** A new token: 32 random bytes, URL-safe. */
    static String random() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    String csrf() {
        return csrf;
    }

    boolean needsToken() {
        return token != null;
    }

    /**
     * Whether the request may go on; when not, it has been answered (refused, or redirected to
     * the same page with the token moved from the address into a cookie).
     */
    boolean admit(Http h) throws IOException {
        if (loopback && !loopbackHost(h.header("Host"))) {
            h.text(
                    403,
                    "text/plain; charset=utf-8",
                    "403: this server listens on a loopback address and answers"
                            + " only requests to localhost, 127.0.0.1 or [::1]\n");
            return false;
        }
        if (token == null) {
            return true;
        }
        String given = h.param("token");
        if (given != null && h.method().equals("GET")) {
            if (!same(given, token)) {
                refuse(h, "the token in the address is not this server's");
                return false;
            }
            // the token leaves the address bar (and the history) at once and lives in a cookie
            h.exchange
                    .getResponseHeaders()
                    .add("Set-Cookie", cookie + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
            h.exchange.getResponseHeaders().set("Location", h.path());
            h.send(303, "text/plain; charset=utf-8", new byte[0]);
            return false;
        }
        String auth = h.header("Authorization");
        String sent = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                ? auth.substring(7).trim()
                : h.header("X-Experimenter-Token");
        if (sent == null) {
            sent = h.cookie(cookie);
        }
        if (sent == null || !same(sent, token)) {
            refuse(h, sent == null ? "this server needs its token" : "the token sent is not this server's");
            return false;
        }
        return true;
    }

    /** Throws a 403 unless a POST carries the CSRF token and, when it names one, this server's origin. */
    void checkAction(Http h) {
        String sent = h.header(CSRF_HEADER);
        if (sent == null || !same(sent, csrf)) {
            throw new Http.Failure(403, "refused: an action needs the page's CSRF token (reload the page)");
        }
        String origin = h.header("Origin");
        String host = h.header("Host");
        if (origin != null && (host == null || !origin.equalsIgnoreCase("http://" + host))) {
            throw new Http.Failure(403, "refused: an action from another origin (" + origin + ")");
        }
        String type = h.header("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new Http.Failure(415, "refused: an action is a JSON body (Content-Type: application/json)");
        }
    }

    private static void refuse(Http h, String why) throws IOException {
        h.text(
                401,
                "text/plain; charset=utf-8",
                "401: " + why + ". Open the address that serve printed, the one ending in ?token=..., once;"
                        + " the browser then keeps the token in a cookie.\n");
    }

    private static boolean loopbackHost(String hostHeader) {
        if (hostHeader == null) {
            return false;
        }
        String host = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0 && host.substring(1, end).equals("::1");
        }
        int colon = host.indexOf(':');
        if (colon >= 0) {
            host = host.substring(0, colon);
        }
        return host.equals("localhost") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
