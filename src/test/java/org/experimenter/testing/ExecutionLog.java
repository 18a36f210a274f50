package org.experimenter.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The execution log {@link FaultExperiment} writes: one line "id pid executor startMillis" per execution. */
public final class ExecutionLog {
    /** One execution of one row. */
    public record Execution(long id, long pid, String executor, long startMillis) {}

    private final List<Execution> executions;

    private ExecutionLog(List<Execution> executions) {
        this.executions = executions;
    }

    /** Reads the log; a missing file is an empty log, a torn last line (a JVM killed mid-write) is skipped. */
    public static ExecutionLog read(Path file) throws IOException {
        List<Execution> out = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                String[] p = line.trim().split(" ");
                if (p.length == 4) {
                    out.add(new Execution(Long.parseLong(p[0]), Long.parseLong(p[1]), p[2], Long.parseLong(p[3])));
                }
            }
        }
        return new ExecutionLog(out);
    }

    public List<Execution> all() {
        return Collections.unmodifiableList(executions);
    }

    public int size() {
        return executions.size();
    }

    /** Executions per row id, in log order. */
    public Map<Long, List<Execution>> byRow() {
        Map<Long, List<Execution>> m = new TreeMap<>();
        for (Execution e : executions) {
            m.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e);
        }
        return m;
    }

    /** Rows executed more than once. */
    public Set<Long> rowsExecutedTwice() {
        Set<Long> out = new TreeSet<>();
        byRow().forEach((id, l) -> {
            if (l.size() > 1) {
                out.add(id);
            }
        });
        return out;
    }

    public Set<Long> pids() {
        Set<Long> out = new TreeSet<>();
        executions.forEach(e -> out.add(e.pid()));
        return out;
    }

    /** The rows a process started. */
    public Set<Long> rowsStartedBy(long pid) {
        Set<Long> out = new TreeSet<>();
        executions.stream().filter(e -> e.pid() == pid).forEach(e -> out.add(e.id()));
        return out;
    }

    /** The most recent execution, or null. */
    public Execution last() {
        return executions.isEmpty() ? null : executions.get(executions.size() - 1);
    }
}
