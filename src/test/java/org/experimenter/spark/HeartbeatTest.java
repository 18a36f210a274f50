package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.experimenter.Experimenter;
import org.experimenter.store.Claim;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.SettableClock;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heartbeat keeps beating whatever a beat throws: an Error escaping a scheduled task would
 * end the schedule, and the rows it holds would be recovered and run twice.
 */
class HeartbeatTest {
    private static final Logger HEARTBEAT_LOG = Logger.getLogger(Heartbeat.class.getName());

    @TempDir
    Path dir;

    private final SettableClock clock = new SettableClock();
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (logged) {
                logged.add(r);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private Experimenter ex;
    private ExperimentStore store;
    private long id;
    private Claim claim;

    @BeforeEach
    void aRowClaimedAndRunning() throws Exception {
        String table = TestDb.uniqueTable("heartbeat");
        ex = Experimenter.of(TestDb.SQLITE.config(
                dir,
                table,
                "keyfields { x { type = int, values = { start = 0, stop = 1 } } }\nresultfields { score = double }\n"
                        + "lease { heartbeat-interval = 50ms, missed-beats = 4, recovery-interval = 50ms }\n"));
        ex.fill();
        store = TestDb.store(ex).withClock(clock);
        id = store.idOf(new Object[] {0});
        claim = new Claim("run-1", "test", "host", "run-1/test/1", null);
        try (Connection c = store.connect()) {
            assertEquals(1, store.claimIds(c, List.of(id), claim).size());
        }
        // heartbeats are in the database's time: this clock plus the store's measured difference
        databaseOffset = ((Number) store.row(id).get("heartbeat")).longValue() - clock.millis();
        HEARTBEAT_LOG.addHandler(capture);
    }

    private long databaseOffset;

    @AfterEach
    void dropTheTable() {
        HEARTBEAT_LOG.removeHandler(capture);
        ex.drop();
    }

    @Test
    void configsDifferingOnlyInThePasswordShareNoHeartbeatAndTheKeyNeverShowsIt() {
        ExperimentStore first =
                new ExperimentStore(ex.config().withOverrides(Map.of("database.password", "first-secret")));
        ExperimentStore second =
                new ExperimentStore(ex.config().withOverrides(Map.of("database.password", "second-secret")));
        ExperimentStore again =
                new ExperimentStore(ex.config().withOverrides(Map.of("database.password", "first-secret")));
        try (Heartbeat a = Heartbeat.shared(first);
                Heartbeat b = Heartbeat.shared(second);
                Heartbeat c = Heartbeat.shared(again)) {
            assertNotSame(a, b, "another password, another heartbeat and its own connections");
            assertSame(a, c, "the same config shares one");
        }
        String shown = Heartbeat.SharedKey.of(first).toString();
        assertFalse(shown.contains("first-secret"), shown);
        assertTrue(shown.contains(store.table()), shown);
    }

    @Test
    void aBeatThatThrowsAnErrorIsLoggedAndTheNextBeatsStillRun() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Supplier<Connection> connect = failingFirst(1, calls);
        clock.advance(Duration.ofSeconds(1));
        try (Heartbeat heartbeat = new Heartbeat(store, "test", connect)) {
            heartbeat.hold(claim.token());
            awaitHeartbeat(clock.millis());
            clock.advance(Duration.ofSeconds(1));
            awaitHeartbeat(clock.millis());
        }
        assertTrue(calls.get() >= 2, "connection attempts: " + calls.get());
        List<LogRecord> warnings = injectedFailures();
        assertEquals(1, warnings.size(), "warnings: " + messages(warnings));
        String m = warnings.get(0).getMessage();
        assertTrue(m.startsWith("heartbeat for " + store.table() + " failed; retrying next beat: "), m);
        assertTrue(m.endsWith("(1 failed in a row)"), m);
        assertEquals(0, at(Level.SEVERE).size(), "one failure is far from the lease");
    }

    @Test
    void failuresAsLongAsTheLeaseAreSevereOnceAndBeatingResumesAfterThem() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Supplier<Connection> connect = failingFirst(6, calls); // lease / interval = 200 ms / 50 ms = 4 beats
        clock.advance(Duration.ofSeconds(1));
        try (Heartbeat heartbeat = new Heartbeat(store, "test", connect)) {
            heartbeat.hold(claim.token());
            awaitHeartbeat(clock.millis());
        }
        List<LogRecord> warnings = injectedFailures();
        assertEquals(6, warnings.size(), "warnings: " + messages(warnings));
        for (int i = 0; i < 6; i++) {
            assertTrue(warnings.get(i).getMessage().endsWith("(" + (i + 1) + " failed in a row)"), messages(warnings));
        }
        List<LogRecord> severe = at(Level.SEVERE);
        assertEquals(1, severe.size(), "severe: " + messages(severe));
        assertTrue(
                severe.get(0).getMessage().contains("failed 4 times in a row, as long as the lease (PT0.2S)"),
                severe.get(0).getMessage());
        assertTrue(
                messages(at(Level.INFO)).contains("is beating again after 6 failed beats"), messages(at(Level.INFO)));
    }

    /** Connections from the store, except that the first {@code n} attempts throw an Error. */
    private Supplier<Connection> failingFirst(int n, AtomicInteger calls) {
        return () -> {
            if (calls.incrementAndGet() <= n) {
                throw new NoClassDefFoundError("injected");
            }
            return store.connect();
        };
    }

    private void awaitHeartbeat(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Object beat = null;
        while (System.nanoTime() < deadline) {
            beat = store.row(id).get("heartbeat");
            if (beat != null && ((Number) beat).longValue() == millis + databaseOffset) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(
                "the heartbeat of experiment " + id + " is " + beat + ", never reached " + (millis + databaseOffset));
    }

    /** The warnings of the injected failures (a beat cut short by close may add one of its own). */
    private List<LogRecord> injectedFailures() {
        List<LogRecord> out = new ArrayList<>();
        for (LogRecord r : at(Level.WARNING)) {
            if (r.getMessage().contains("NoClassDefFoundError: injected")) {
                out.add(r);
            }
        }
        return out;
    }

    private List<LogRecord> at(Level level) {
        List<LogRecord> out = new ArrayList<>();
        synchronized (logged) {
            for (LogRecord r : logged) {
                if (r.getLevel().equals(level)) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    private static String messages(List<LogRecord> records) {
        StringBuilder b = new StringBuilder();
        for (LogRecord r : records) {
            b.append(r.getMessage()).append('\n');
        }
        return b.toString();
    }
}
