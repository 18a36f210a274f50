package org.experimenter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.experimenter.Experimenter;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Resetting a failure group resets the rows that are still failed: the page's grouping is as old
 * as the server's last look, and a row of the group that a run finished since keeps its result.
 */
class FailureGroupResetTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDb.class)
    void aRowThatFinishedAfterTheGroupingKeepsItsResult(TestDb db) throws Exception {
        ExperimentConfig c = db.config(
                dir,
                TestDb.uniqueTable("groupreset"),
                "keyfields { x { type = int, values = [1, 2, 3] } }\nresultfields { y = double }\n");
        Experimenter ex = Experimenter.of(c);
        ex.fill();
        ExperimentStore store = new ExperimentStore(c);
        String t = store.table();
        try {
            sql(
                    store,
                    "UPDATE " + t + " SET status = 'error', error_kind = 'exception',"
                            + " error = 'java.lang.IllegalStateException: bad x'");
            // a refresh far away: the server looks at the table at start and after each action only
            try (WebServer server = WebServer.start(
                    c,
                    new WebServer.Options("127.0.0.1", 0, null, true, Duration.ofHours(1), "conf/group.conf"),
                    () -> {
                        throw new IllegalStateException("this test reads no evaluation");
                    },
                    false)) {
                WebClient client = new WebClient(server.port());
                String csrf =
                        client.json("/api/meta").get("actions").get("csrf").asText();
                JsonNode group = client.json("/api/failures").get("groups").get(0);
                assertEquals(3, group.get("count").asInt(), group.toString());

                // between the look and the click, a run finishes row 2
                sql(
                        store,
                        "UPDATE " + t + " SET status = 'done', y = 0.5, error = NULL, error_kind = NULL"
                                + " WHERE id = 2");
                HttpResponse<String> r = client.post(
                        "/api/actions/reset",
                        "{\"group\": \"" + group.get("key").asText() + "\"}",
                        "X-CSRF-Token",
                        csrf,
                        "Content-Type",
                        "application/json");
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(2, WebClient.parse(r).get("reset").asInt(), r.body());
            }
            assertEquals("1 created null|2 done 0.5|3 created null|", rows(store));
        } finally {
            ex.drop();
        }
    }

    private static void sql(ExperimentStore store, String sql) throws Exception {
        try (Connection conn = store.connect();
                Statement s = conn.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    private static String rows(ExperimentStore store) throws Exception {
        StringBuilder b = new StringBuilder();
        try (Connection conn = store.connect();
                ResultSet rs = conn.createStatement()
                        .executeQuery("SELECT id, status, y FROM " + store.table() + " ORDER BY id")) {
            while (rs.next()) {
                b.append(rs.getLong(1))
                        .append(' ')
                        .append(rs.getString(2))
                        .append(' ')
                        .append(rs.getObject(3))
                        .append('|');
            }
        }
        return b.toString();
    }
}
