package org.experimenter.web;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One request and its answer: query parameters, cookies, and answers with the headers every answer carries. */
final class Http {
    /** An answer other than 200 with a message for the page, e.g. 400 for a bad --where. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /**
     * Scripts, styles and pictures only from this server, nothing inline, no frames: even a value
     * that slipped past the page's escaping could not run.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self' blob:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

    /** The longest request body read (the actions' JSON). */
    private static final int MAX_BODY = 1 << 20;

    final HttpExchange exchange;
    private final Map<String, List<String>> query;
    /** Whether the request's body was read to its end ({@link #body}). */
    private boolean bodyRead;

    Http(HttpExchange exchange) {
        this.exchange = exchange;
        this.query = parseQuery(exchange.getRequestURI().getRawQuery());
    }

    String method() {
        return exchange.getRequestMethod();
    }

    String path() {
        return exchange.getRequestURI().getPath();
    }

    String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    /** A query parameter, or null when absent. */
    String param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** A comma-separated list parameter: null when absent, empty when given empty. */
    List<String> list(String name) {
        String v = param(name);
        if (v == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            if (s.isBlank()) {
                continue;
            }
            // each name once: a name repeated would repeat its work (an evaluation's statistics per field)
            if (out.contains(s.trim())) {
                throw new Failure(400, name + ": " + s.trim() + " is named twice");
            }
            out.add(s.trim());
        }
        return out;
    }

    long longParam(String name, long fallback) {
        String v = param(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new Failure(400, name + "=" + v + ": expected a whole number");
        }
    }

    /** An int parameter; a value beyond an int is the client's error, never cast into one. */
    int intParam(String name, int fallback) {
        long n = longParam(name, fallback);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new Failure(400, name + "=" + param(name) + ": out of range");
        }
        return (int) n;
    }

    /** {@code stage=n}: the stage to show (1 is the grid), or null when absent or blank (every stage). */
    Integer stage() {
        long n = longParam("stage", 0);
        if (param("stage") == null || param("stage").isBlank()) {
            return null;
        }
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw new Failure(400, "--stage " + n + ": stages are numbered from 1 (the grid's rows)");
        }
        return (int) n;
    }

    /** The value of a cookie, or null. */
    String cookie(String name) {
        List<String> headers = exchange.getRequestHeaders().get("Cookie");
        if (headers == null) {
            return null;
        }
        for (String h : headers) {
            for (String part : h.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
                    return part.substring(eq + 1).trim();
                }
            }
        }
        return null;
    }

    byte[] body() throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] b = in.readNBytes(MAX_BODY + 1);
            if (b.length > MAX_BODY) {
                throw new Failure(413, "request body over " + MAX_BODY + " bytes");
            }
            bodyRead = true;
            return b;
        }
    }

    void json(int status, Object value) throws IOException {
        send(status, "application/json; charset=utf-8", Json.bytes(value));
    }

    void text(int status, String contentType, String text) throws IOException {
        send(status, contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A file to save: the browser offers it under this name. */
    void download(String contentType, String fileName, String text) throws IOException {
        exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
        text(200, contentType, text);
    }

    /** Bytes to save under a name of letters, digits, dots, dashes and underscores only. */
    void sendFile(String fileName, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
        send(200, "application/octet-stream", body);
    }

    void send(int status, String contentType, byte[] body) throws IOException {
        headers(contentType);
        if (!bodyRead && hasBody()) {
            // answered before its body was read (a refusal): the connection ends with the answer, so
            // that the client sends its next request on a new one, never after a body left unread
            exchange.getResponseHeaders().set("Connection", "close");
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    /** Whether the request announces a body (a length above 0, or chunks). */
    private boolean hasBody() {
        String length = header("Content-Length");
        return header("Transfer-Encoding") != null
                || (length != null && !length.trim().equals("0"));
    }

    /** The headers of every answer; API answers are never cached, since rows change under them. */
    void headers(String contentType) {
        var h = exchange.getResponseHeaders();
        h.set("Content-Type", contentType);
        h.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("X-Frame-Options", "DENY");
        h.set("Cache-Control", "no-store");
    }

    private static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(k.toLowerCase(Locale.ROOT), x -> new ArrayList<>())
                    .add(v);
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Failure(400, "malformed query string");
        }
    }
}
