package org.experimenter.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.experimenter.Experimenter;
import org.experimenter.store.ExperimentStore;

/**
 * The end of every fault check: reads the experiment table, its attempts table and the
 * independent execution log, prints the figures and lists what is wrong. Used by the JUnit
 * fault tests and, through {@link #main}, by the scripts under scripts/dev/faults/.
 */
public final class FaultReport {
    private final String name;
    private final Duration lease;
    private final ExecutionLog log;
    /** id to {status, error_kind} */
    private final Map<Long, String[]> rows = new TreeMap<>();
    /** id to the outcomes of its attempts, oldest first, as "outcome@executor" */
    private final Map<Long, List<String[]>> attempts = new HashMap<>();

    private final Map<Long, String> expected = new HashMap<>();
    private boolean createdAllowed;
    private Long killedPid;
    private long killMillis;
    private Set<Long> held = Set.of();
    private boolean pickupLimit = true;

    private FaultReport(String name, Duration lease, ExecutionLog log) {
        this.name = name;
        this.lease = lease;
        this.log = log;
    }

    /** Reads the table and the attempts table of a store now. */
    public static FaultReport collect(String name, ExperimentStore store, ExecutionLog log) {
        FaultReport r = new FaultReport(name, store.config().leaseTimeout(), log);
        try (Connection c = store.connect();
                PreparedStatement rows = c.prepareStatement("SELECT id, status, error_kind FROM " + store.table());
                PreparedStatement atts = c.prepareStatement("SELECT experiment_id, outcome, executor, error FROM "
                        + store.schema().attemptsTable() + " ORDER BY id")) {
            try (ResultSet rs = rows.executeQuery()) {
                while (rs.next()) {
                    r.rows.put(rs.getLong(1), new String[] {rs.getString(2), rs.getString(3)});
                }
            }
            try (ResultSet rs = atts.executeQuery()) {
                while (rs.next()) {
                    // a row of a lost claim of several rows goes back uncharged: outcome released, error "not charged:
                    // ..."
                    String outcome = rs.getString(2);
                    boolean withClaim = outcome.equals("released")
                            && String.valueOf(rs.getString(4)).startsWith("not charged:");
                    r.attempts
                            .computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(new String[] {withClaim ? "lost-with-claim" : outcome, rs.getString(3)});
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + store.table() + ": " + e.getMessage(), e);
        }
        return r;
    }

    /** A row expected to end in another state than done, e.g. "error:timeout" or "error:lost". */
    public FaultReport expect(long id, String statusAndKind) {
        expected.put(id, statusAndKind);
        return this;
    }

    /** Rows may end as created (a stopped run): they must then not be held by anyone. */
    public FaultReport allowCreated() {
        createdAllowed = true;
        return this;
    }

    /** A process was killed at killMillis holding these rows (running under its executor right after the kill). */
    public FaultReport killed(long pid, long killMillis, Set<Long> heldRows) {
        this.killedPid = pid;
        this.killMillis = killMillis;
        this.held = new TreeSet<>(heldRows);
        return this;
    }

    /** Rows of the killed process wait for a run started by hand: no pick-up limit. */
    public FaultReport withoutPickupLimit() {
        pickupLimit = false;
        return this;
    }

    public Set<Long> rowsExecutedTwice() {
        return log.rowsExecutedTwice();
    }

    /** Rows with no execution in the log. */
    public Set<Long> rowsNeverExecuted() {
        Set<Long> out = new TreeSet<>(rows.keySet());
        out.removeAll(log.byRow().keySet());
        return out;
    }

    public long count(String status) {
        return rows.values().stream().filter(v -> v[0].equals(status)).count();
    }

    /** Per held row, milliseconds from the kill to its next execution; -1 when it never ran again. */
    public Map<Long, Long> pickupMillis() {
        Map<Long, Long> out = new TreeMap<>();
        Map<Long, List<ExecutionLog.Execution>> byRow = log.byRow();
        for (Long id : held) {
            long first = -1;
            for (ExecutionLog.Execution e : byRow.getOrDefault(id, List.of())) {
                if (e.pid() != killedPid && e.startMillis() >= killMillis && (first < 0 || e.startMillis() < first)) {
                    first = e.startMillis();
                }
            }
            out.put(id, first < 0 ? -1 : first - killMillis);
        }
        return out;
    }

    public long maxPickupMillis() {
        return pickupMillis().values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** Rows whose attempts table has a 'lost' attempt, charged, or uncharged with a lost claim of several rows. */
    public Set<Long> rowsWithLostAttempt() {
        Set<Long> out = new TreeSet<>();
        attempts.forEach((id, l) -> {
            if (l.stream().anyMatch(a -> a[0].equals("lost") || a[0].equals("lost-with-claim"))) {
                out.add(id);
            }
        });
        return out;
    }

    private long outcomes(long id, String outcome) {
        return attempts.getOrDefault(id, List.of()).stream()
                .filter(a -> a[0].equals(outcome))
                .count();
    }

    /** One line of figures. */
    public String figures() {
        Map<String, Long> statuses = new LinkedHashMap<>();
        for (String s : List.of("done", "error", "created", "running", "paused")) {
            statuses.put(s, count(s));
        }
        StringBuilder b = new StringBuilder();
        b.append(name)
                .append(": rows ")
                .append(rows.size())
                .append(' ')
                .append(statuses)
                .append(", executions ")
                .append(log.size())
                .append(", rows executed twice ")
                .append(rowsExecutedTwice().size())
                .append(", rows never executed ")
                .append(rowsNeverExecuted().size())
                .append(", processes ")
                .append(log.pids().size());
        if (killedPid != null) {
            b.append("; killed pid ")
                    .append(killedPid)
                    .append(" holding ")
                    .append(held.size())
                    .append(" rows ")
                    .append(held)
                    .append(", re-executed ")
                    .append(rowsExecutedTwice())
                    .append(", rows with a lost attempt ")
                    .append(rowsWithLostAttempt())
                    .append(String.format(
                            ", max pick-up %.1f s after the kill (lease %.1f s%s)",
                            maxPickupMillis() / 1000.0,
                            lease.toMillis() / 1000.0,
                            pickupLimit
                                    ? String.format(", limit 2 x lease = %.1f s", 2 * lease.toMillis() / 1000.0)
                                    : ""));
        }
        return b.toString();
    }

    /** What is wrong; empty when the run survived the fault. */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        Map<Long, List<ExecutionLog.Execution>> byRow = log.byRow();
        for (Map.Entry<Long, String[]> r : rows.entrySet()) {
            long id = r.getKey();
            String status = r.getValue()[0];
            String actual = status.equals("done") ? "done" : status + ":" + r.getValue()[1];
            String want = expected.getOrDefault(id, "done");
            if (status.equals("running")) {
                out.add("row " + id + " is still running");
            } else if (status.equals("created") && createdAllowed) {
                if (outcomes(id, "done") > 0) {
                    out.add("row " + id + " is created but has a done attempt");
                }
            } else if (!actual.equals(want)) {
                out.add("row " + id + " ended " + actual + ", expected " + want);
            }
            long done = outcomes(id, "done");
            if (status.equals("done") && done != 1) {
                out.add("row " + id + " is done with " + done
                        + " done attempts; a result must be recorded exactly once");
            }
            if (status.equals("done") && !byRow.containsKey(id)) {
                out.add("row " + id + " is done but the execution log never saw it run");
            }
        }
        for (Long id : rowsExecutedTwice()) {
            List<ExecutionLog.Execution> ex = byRow.get(id);
            if (killedPid == null) {
                // each claim lost with its executor explains one more execution of the rows it held
                long losses = outcomes(id, "lost") + outcomes(id, "lost-with-claim");
                if (!expected.getOrDefault(id, "done").equals("error:lost") && ex.size() > 1 + losses) {
                    out.add("row " + id + " was executed " + ex.size() + " times with no fault that could explain it"
                            + (losses > 0 ? " (lost with an executor " + losses + " times)" : ""));
                }
            } else if (!held.contains(id)) {
                out.add("row " + id + " was executed " + ex.size() + " times but the killed process did not hold it");
            } else if (ex.size() > 2) {
                out.add("row " + id + " was executed " + ex.size() + " times; one kill explains two");
            }
        }
        if (killedPid != null) {
            for (Map.Entry<Long, Long> p : pickupMillis().entrySet()) {
                if (p.getValue() < 0) {
                    out.add("row " + p.getKey() + " held by the killed process never ran again");
                } else if (pickupLimit && p.getValue() > 2 * lease.toMillis()) {
                    out.add("row " + p.getKey() + " was picked up " + p.getValue()
                            + " ms after the kill, more than 2 x the lease of " + lease.toMillis() + " ms");
                }
            }
            Set<Long> lost = rowsWithLostAttempt();
            if (!lost.equals(held)) {
                out.add("the rows recovered as lost " + lost + " are not the rows the killed process held " + held);
            }
        }
        return out;
    }

    /**
     * For the scripts: {@code FaultReport --name NAME --config FILE --log FILE [--killed-pid P
     * --kill-millis T --held 1,2,3] [--allow-created]}. Prints the figures and every problem;
     * exits 1 when there is one.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--allow-created")) {
                a.put("allow-created", "true");
            } else {
                a.put(args[i].substring(2), args[++i]);
            }
        }
        Experimenter ex = Experimenter.load(Path.of(a.get("config")));
        FaultReport r = collect(
                a.getOrDefault("name", "fault check"), TestDb.store(ex), ExecutionLog.read(Path.of(a.get("log"))));
        if (a.containsKey("killed-pid")) {
            Set<Long> heldRows = new TreeSet<>();
            for (String s : a.getOrDefault("held", "").split(",")) {
                if (!s.isBlank()) {
                    heldRows.add(Long.parseLong(s.trim()));
                }
            }
            r.killed(Long.parseLong(a.get("killed-pid")), Long.parseLong(a.get("kill-millis")), heldRows);
        }
        if (a.containsKey("allow-created")) {
            r.allowCreated();
        }
        System.out.println(r.figures());
        List<String> problems = r.problems();
        problems.forEach(p -> System.out.println("PROBLEM: " + p));
        System.out.println(problems.isEmpty() ? "OK" : "FAILED: " + problems.size() + " problems");
        System.exit(problems.isEmpty() ? 0 : 1);
    }
}
