package org.experimenter.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.experimenter.Experimenter;
import org.experimenter.eval.TableFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter run-one}: adds one row if missing and runs it in this process, without Spark. */
@Command(
    name = "run-one",
    description = "Add the row with these keyfield values if missing and run it now, in this process"
        + " (for Slurm arrays and other schedulers).")
final class RunOneCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--set", required = true, description = "A keyfield value, e.g. --set dataset=iris --set seed=3.")
  Map<String, String> values;

  @Option(names = "--json", description = "Print the row as one JSON object.")
  boolean json;

  @Override
  public Integer call() {
    Experimenter ex = common.experimenter();
    Map<String, Object> row = ex.runOne(values, ex.experimentFromConfig());
    if (json) {
      List<String> parts = new ArrayList<>();
      for (Map.Entry<String, Object> e : row.entrySet()) {
        Object v = e.getValue();
        String s = v == null
            ? "null"
            : v instanceof Number || v instanceof Boolean ? v.toString() : TableFormat.jsonString(v.toString());
        parts.add("\"" + e.getKey() + "\": " + s);
      }
      System.out.println("{" + String.join(", ", parts) + "}");
    } else {
      System.out.println("experiment " + row.get("id") + " of " + ex.config().table() + ": " + row.get("status"));
      for (String r : ex.config().resultfields().keySet()) {
        System.out.println("  " + r + " = " + row.get(r));
      }
      if (row.get("error") != null) {
        System.out.println("  error: " + String.valueOf(row.get("error")).lines().findFirst().orElse(""));
      }
    }
    // a scheduler such as Slurm sees the experiment's failure in the exit code
    return "error".equals(row.get("status")) ? 1 : 0;
  }
}
