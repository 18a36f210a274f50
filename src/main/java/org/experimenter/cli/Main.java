package org.experimenter.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.ExperimenterException;
import org.experimenter.RunSummary;
import org.experimenter.Status;
import org.experimenter.eval.Evaluation;
import org.experimenter.eval.ResultTable;
import org.experimenter.eval.SqlErrors;
import org.experimenter.eval.Stat;
import org.experimenter.config.ExperimentConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The command line: {@code experimenter fill|run|status|reset|recover|drop|eval|sql|plot|export --config FILE}. */
@Command(
    name = "experimenter",
    mixinStandardHelpOptions = true,
    version = "experimenter 0.1.0",
    description = "Runs grids of experiments on Apache Spark and keeps every result in a database.",
    subcommands = {
      Main.Fill.class,
      Main.Run.class,
      Main.StatusCmd.class,
      Main.Reset.class,
      Main.Recover.class,
      Main.Drop.class,
      Main.Eval.class,
      Main.Sql.class,
      PlotCommand.class,
      ExportCommand.class
    })
public final class Main implements Callable<Integer> {

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command and returns its exit code (tests call this instead of main). */
  public static int execute(String... args) {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
    }
    if (System.getProperty("java.awt.headless") == null) {
      // plots are drawn off screen; never reach for a display
      System.setProperty("java.awt.headless", "true");
    }
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          // --verbose belongs to the subcommand, not to the top-level parse result
          boolean verbose = false;
          for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            verbose |= p.hasMatchedOption("--verbose");
          }
          PrintWriter err = cmd.getErr();
          if (e instanceof ExperimenterException && !verbose) {
            err.println("error: " + e.getMessage());
          } else if (verbose) {
            e.printStackTrace(err);
          } else {
            err.println("error: " + e + " (run with --verbose for the stack trace)");
          }
          err.flush();
          return 1;
        });
    return cl.execute(args);
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 2;
  }

  /** Options every command takes. */
  abstract static class Base implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "The experiment's HOCON config file.")
    Path config;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    Experimenter experimenter() {
      return Experimenter.load(config);
    }

    SparkSession spark(ExperimentConfig c) {
      SparkConf conf = new SparkConf();
      SparkSession.Builder b = SparkSession.builder();
      if (!conf.contains("spark.master")) {
        b = b.master(c.sparkMaster());
      }
      if (!conf.contains("spark.app.name")) {
        b = b.appName(c.sparkAppName() + ": " + c.table());
      }
      b = b.config("spark.sql.session.timeZone", "UTC").config("spark.ui.showConsoleProgress", "false");
      for (Map.Entry<String, String> e : c.sparkConf().entrySet()) {
        b = b.config(e.getKey(), e.getValue());
      }
      return b.getOrCreate();
    }
  }

  @Command(name = "fill", description = "Create the table if missing and insert the grid's new rows.")
  static final class Fill extends Base {
    @Override
    public Integer call() {
      Experimenter ex = experimenter();
      long t0 = System.nanoTime();
      long n = ex.fill();
      System.out.printf("%s: %d new rows (grid of %d) in %.1f s%n", ex.config().table(), n, ex.config().grid().size(), (System.nanoTime() - t0) / 1e9);
      return 0;
    }
  }

  @Command(name = "run", description = "Run the open experiments on Spark.")
  static final class Run extends Base {
    @Option(names = "--max-experiments", description = "At most this many experiments (default: the config's execution.max-experiments).")
    Long maxExperiments;

    @Option(names = "--where", description = "Run only rows matching this SQL condition over keyfields, e.g. \"seed < 3\".")
    String where;

    @Override
    public Integer call() {
      Experimenter ex = experimenter();
      org.experimenter.Experiment experiment = ex.experimentFromConfig();
      SparkSession spark = spark(ex.config());
      try {
        long max = maxExperiments != null ? maxExperiments : ex.config().maxExperiments();
        RunSummary s = ex.run(spark, experiment, where, max);
        System.out.print(s);
        return 0;
      } finally {
        spark.stop();
      }
    }
  }

  @Command(name = "status", description = "Print the number of rows per status.")
  static final class StatusCmd extends Base {
    @Option(names = "--json", description = "Print one JSON object mapping each status to its count.")
    boolean json;

    @Override
    public Integer call() {
      Map<Status, Long> counts = experimenter().status();
      if (json) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<Status, Long> e : counts.entrySet()) {
          parts.add("\"" + e.getKey().dbName() + "\": " + e.getValue());
        }
        System.out.println("{" + String.join(", ", parts) + "}");
      } else {
        long total = 0;
        for (Map.Entry<Status, Long> e : counts.entrySet()) {
          System.out.printf("%-8s %d%n", e.getKey().dbName(), e.getValue());
          total += e.getValue();
        }
        System.out.printf("%-8s %d%n", "total", total);
      }
      return 0;
    }
  }

  @Command(name = "reset", description = "Return rows of the given statuses to created, clearing their results and errors.")
  static final class Reset extends Base {
    @Option(names = "--status", required = true, split = ",", description = "Statuses to reset, e.g. error,running.")
    List<String> statuses;

    @Override
    public Integer call() {
      Set<Status> set = EnumSet.noneOf(Status.class);
      for (String s : statuses) {
        set.add(Status.parse(s));
      }
      int n = experimenter().reset(set);
      System.out.println(n + " rows reset to created");
      return 0;
    }
  }

  @Command(name = "recover", description = "Return running rows whose worker stopped sending heartbeats to created (or error when out of attempts).")
  static final class Recover extends Base {
    @Override
    public Integer call() {
      org.experimenter.store.ExperimentStore.Recovery r = experimenter().recover();
      System.out.println(r.requeued + " lost rows returned to created, " + r.failed + " marked error (no attempts left)");
      return 0;
    }
  }

  @Command(name = "drop", description = "Drop the experiment table with all its rows.")
  static final class Drop extends Base {
    @Option(names = "--yes", description = "Do not ask.")
    boolean yes;

    @Override
    public Integer call() throws Exception {
      Experimenter ex = experimenter();
      if (!yes) {
        System.out.print("Drop table " + ex.config().table() + " and all its rows? Type the table name to confirm: ");
        System.out.flush();
        String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (answer == null || !answer.trim().equals(ex.config().table())) {
          System.out.println("not dropped");
          return 1;
        }
      }
      System.out.println(ex.drop() ? "dropped " + ex.config().table() : "no table " + ex.config().table());
      return 0;
    }
  }

  @Command(
      name = "eval",
      description = "Aggregate the results of done rows over seeds: mean, std, se, ci95, count, min, median, max per result field, or a pivot table.")
  static final class Eval extends Base {
    @Option(names = "--over", split = ",", description = "Keyfields to aggregate over (default: seed, when there is such a keyfield).")
    List<String> over;

    @Option(
        names = "--stats",
        split = ",",
        description = "Statistics: mean, std, se, ci95, count, min, median, max, or all (default: mean,std,count; in a pivot: mean,std).")
    List<String> stats;

    @Option(names = "--fields", split = ",", description = "Result fields to aggregate (default: every numeric one).")
    List<String> fields;

    @Option(names = "--where", description = "Only rows matching this Spark SQL condition, e.g. \"k <= 7\".")
    String where;

    @Option(names = "--rows", split = ",", description = "Pivot: keyfields whose values make the rows.")
    List<String> rows;

    @Option(names = "--columns", split = ",", description = "Pivot: keyfields whose values make the columns.")
    List<String> columns;

    @Option(names = "--value", description = "Pivot: the result field in the cells.")
    String value;

    @Option(names = "--lower-is-better", description = "Pivot: mark the lowest value of each row as best (default: the highest).")
    boolean lowerIsBetter;

    @Mixin OutputOptions out;

    @Override
    public Integer call() {
      Experimenter ex = experimenter();
      out.checkedFormat();
      boolean pivot = rows != null || columns != null || value != null;
      if (pivot && (rows == null || columns == null || value == null)) {
        throw new ExperimenterException("--rows, --columns and --value go together: a pivot needs all three");
      }
      if (pivot && fields != null) {
        throw new ExperimenterException("--fields does not apply to a pivot; --value names its result field");
      }
      if (!pivot && lowerIsBetter) {
        throw new ExperimenterException("--lower-is-better applies to a pivot (--rows, --columns, --value)");
      }
      List<Stat> chosen = stats == null ? null : Stat.parse(stats);
      SparkSession spark = spark(ex.config());
      try {
        Evaluation e = ex.evaluation(spark).over(over).where(where).fields(fields).stats(chosen);
        // check the names before any Spark job runs
        e.groupFields();
        ResultTable t = pivot ? e.pivot(rows, columns, value, lowerIsBetter) : e.collect();
        out.write(spark, t);
        Map<String, Long> left = e.leftOut();
        if (!left.isEmpty()) {
          List<String> parts = new ArrayList<>();
          long n = 0;
          for (Map.Entry<String, Long> s : left.entrySet()) {
            parts.add(s.getValue() + " " + s.getKey());
            n += s.getValue();
          }
          System.err.println("left out " + n + (n == 1 ? " row" : " rows") + " not done (" + String.join(", ", parts) + ")");
        }
        return 0;
      } finally {
        spark.stop();
      }
    }
  }

  @Command(
      name = "sql",
      description = "Run Spark SQL with the experiment table and its log tables (<table>__<log>) registered as views named like the tables.")
  static final class Sql extends Base {
    @Parameters(index = "0", description = "The query, e.g. \"SELECT status, count(*) FROM my_table GROUP BY status\".")
    String query;

    @Mixin OutputOptions out;

    @Override
    public Integer call() {
      Experimenter ex = experimenter();
      out.checkedFormat();
      SparkSession spark = spark(ex.config());
      try {
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> df = ex.sql(spark, query);
        spark.sparkContext().setJobDescription("experimenter sql: table " + ex.config().table());
        SqlErrors.translate("", () -> {
          out.write(spark, df);
          return null;
        });
        return 0;
      } finally {
        spark.stop();
      }
    }
  }
}
