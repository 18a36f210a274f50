package org.experimenter.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.experimenter.Experimenter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter run-one}: adds one row if missing and runs it in this process, without Spark. */
@Command(
        name = "run-one",
        description = "Add the row with these keyfield values if missing and run it now, in this process"
                + " (for Slurm arrays and other schedulers).")
final class RunOneCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--set", required = true, description = "A keyfield value, e.g. --set dataset=iris --set seed=3.")
    Map<String, String> values;

    @Option(names = "--json", description = "Print the row as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        Experimenter ex = common.experimenter();
        Map<String, Object> row = ex.runOne(values, ex.experimentFromConfig());
        if (json) {
            Map<String, Object> printed = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : row.entrySet()) {
                Object v = e.getValue();
                // other values as their text: Jackson would turn a java.sql.Timestamp into epoch milliseconds
                printed.put(e.getKey(), v == null || v instanceof Number || v instanceof Boolean ? v : v.toString());
            }
            System.out.println(JsonLine.of(printed));
        } else {
            System.out.println(
                    "experiment " + row.get("id") + " of " + ex.config().table() + ": " + row.get("status"));
            for (String r : ex.config().resultfields().keySet()) {
                System.out.println("  " + r + " = " + row.get(r));
            }
            if (row.get("error") != null) {
                System.out.println("  error: " + headline(String.valueOf(row.get("error"))));
            }
        }
        // a scheduler such as Slurm sees the experiment's failure in the exit code
        return "error".equals(row.get("status")) ? 1 : 0;
    }

    /**
     * The line of an error text that says what happened: its first, or for a Python traceback
     * (whose first line is "Traceback (most recent call last):") the exception's own line, the
     * last one that is not indented; the whole text is in the row's error column.
     */
    static String headline(String error) {
        List<String> lines = error.strip().lines().toList();
        if (lines.isEmpty()) {
            return "";
        }
        if (!lines.get(0).startsWith("Traceback (most recent call last)")) {
            return lines.get(0);
        }
        String last = lines.get(0);
        for (String l : lines) {
            if (!l.isEmpty()
                    && !Character.isWhitespace(l.charAt(0))
                    && !l.startsWith("Traceback (")
                    && !l.startsWith("(stdout.txt")) {
                last = l;
            }
        }
        return last;
    }
}
