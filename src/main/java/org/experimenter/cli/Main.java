package org.experimenter.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
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
      Main.RunOne.class,
      Main.Unpause.class,
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
    if (!isYarnClusterDriver()) {
      System.exit(execute(args));
    }
    // A YARN cluster-mode driver runs inside the ApplicationMaster, which sets the app's final
    // status when main returns or throws: System.exit there, even exit(0), is reported as
    // FAILED ("Shutdown hook called before final status was reported"), and what the driver
    // prints reaches only the container log. An exception thrown from main becomes the app's
    // diagnostics, which spark-submit prints before it exits with code 1.
    StringWriter errors = new StringWriter();
    int code = execute(new PrintWriter(errors, true), args);
    System.err.print(errors);
    System.err.flush();
    if (code != 0) {
      throw new ExperimenterException(errors.toString().trim() + " (exit code " + code + ")");
    }
  }

  private static boolean isYarnClusterDriver() {
    return "cluster".equals(System.getProperty("spark.submit.deployMode"))
        && System.getProperty("spark.master", "").startsWith("yarn");
  }

  /** Runs a command and returns its exit code (tests call this instead of main). */
  public static int execute(String... args) {
    return execute(null, args);
  }

  /** Runs a command with its error messages written to errors (standard error when null). */
  static int execute(PrintWriter errors, String... args) {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
    }
    if (System.getProperty("java.awt.headless") == null) {
      // plots are drawn off screen; never reach for a display
      System.setProperty("java.awt.headless", "true");
    }
    CommandLine cl = new CommandLine(new Main());
    if (errors != null) {
      cl.setErr(errors);
    }
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
      return Experimenter.load(ConfigFile.resolve(config));
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

  @Command(name = "fill", description = "Create the table if missing and insert the grid's new rows (or rows from a file).")
  static final class Fill extends Base {
    @Option(names = "--from", description = "Add the rows of this CSV (header of keyfield names) or JSON file instead of the grid.")
    Path from;

    @Option(names = "--combinations", description = "A HOCON/JSON file: fixed = [ {model = knn, k = 3}, ... ], optional grid { seed = [0, 1] }; each fixed combination is crossed with the values of the other keyfields.")
    Path combinations;

    @Override
    public Integer call() {
      Experimenter ex = experimenter();
      long t0 = System.nanoTime();
      long n;
      String what;
      if (from != null) {
        n = ex.fillFromFile(from);
        what = "from " + from;
      } else if (combinations != null) {
        n = fillCombinations(ex, combinations);
        what = "from the combinations in " + combinations;
      } else {
        n = ex.fill();
        what = "grid of " + ex.config().grid().size();
      }
      System.out.printf("%s: %d new rows (%s) in %.1f s%n", ex.config().table(), n, what, (System.nanoTime() - t0) / 1e9);
      return 0;
    }

    private static long fillCombinations(Experimenter ex, Path file) {
      if (!java.nio.file.Files.isRegularFile(file)) {
        throw new ExperimenterException(file + ": no such file");
      }
      com.typesafe.config.Config c;
      try {
        c = com.typesafe.config.ConfigFactory.parseFile(file.toFile()).resolve();
      } catch (com.typesafe.config.ConfigException e) {
        throw new ExperimenterException(e.getMessage(), e);
      }
      if (!c.hasPath("fixed")) {
        throw new ExperimenterException(file + ": missing 'fixed', a list of objects of keyfield values");
      }
      List<Map<String, ?>> fixed = new ArrayList<>();
      for (com.typesafe.config.ConfigObject o : c.getObjectList("fixed")) {
        fixed.add(o.unwrapped());
      }
      Map<String, List<?>> grid = new java.util.LinkedHashMap<>();
      if (c.hasPath("grid")) {
        for (String k : c.getObject("grid").keySet()) {
          grid.put(k, c.getList("grid." + k).unwrapped());
        }
      }
      return ex.fillCombinations(fixed, grid);
    }
  }

  @Command(name = "run", description = "Run the open experiments on Spark.")
  static final class Run extends Base {
    @Option(names = "--max-experiments", description = "At most this many experiments (default: the config's execution.max-experiments).")
    Long maxExperiments;

    @Option(names = "--where", description = "Run only rows matching this SQL condition over keyfields, e.g. \"seed < 3\".")
    String where;

    @Option(names = "--ids", split = ",", description = "Run only these ids, e.g. 3,5,9.")
    List<Long> ids;

    @Option(names = "--random-order", arity = "0..1", fallbackValue = "-1", description = "Run rows in a shuffled order; an optional seed repeats a shuffle.")
    Long randomSeed;

    @Override
    public Integer call() {
      Experimenter ex = experimenter();
      org.experimenter.Experiment experiment = ex.experimentFromConfig();
      // An unreachable database fails here, before the cluster is asked for executors.
      ex.createTable();
      long max = maxExperiments != null ? maxExperiments : ex.config().maxExperiments();
      org.experimenter.RunOptions options = org.experimenter.RunOptions.all().where(where).maxExperiments(max);
      if (ids != null) {
        options = options.ids(ids);
      }
      if (randomSeed != null) {
        options = options.randomOrder(randomSeed == -1 ? System.nanoTime() : randomSeed);
      }
      SparkSession spark = spark(ex.config());
      try {
        RunSummary s = ex.run(spark, experiment, options);
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

  @Command(name = "reset", description = "Return rows to created, clearing their results and errors; ids and the attempt history are kept.")
  static final class Reset extends Base {
    @Option(names = "--status", split = ",", description = "Statuses to reset, e.g. error,running.")
    List<String> statuses;

    @Option(names = "--ids", split = ",", description = "Ids to reset, e.g. 3,5,9.")
    List<Long> ids;

    @Option(names = "--where", description = "An SQL condition over keyfields and columns, e.g. \"dataset = 'iris'\".")
    String where;

    @Override
    public Integer call() {
      int given = (statuses == null ? 0 : 1) + (ids == null ? 0 : 1) + (where == null ? 0 : 1);
      if (given != 1) {
        throw new ExperimenterException("reset: give exactly one of --status, --ids or --where");
      }
      Experimenter ex = experimenter();
      int n;
      if (statuses != null) {
        Set<Status> set = EnumSet.noneOf(Status.class);
        for (String s : statuses) {
          set.add(Status.parse(s));
        }
        n = ex.reset(set);
      } else if (ids != null) {
        n = ex.resetIds(ids);
      } else {
        n = ex.resetWhere(where);
      }
      System.out.println(n + " rows reset to created");
      return 0;
    }
  }

  @Command(name = "unpause", description = "Return paused rows (all, or --ids) to created, optionally with another experiment class.")
  static final class Unpause extends Base {
    @Option(names = "--ids", split = ",", description = "Only these ids.")
    List<Long> ids;

    @Option(names = "--experiment-class", description = "Run these rows with this class next time (e.g. one that resumes from a checkpoint).")
    String experimentClass;

    @Override
    public Integer call() {
      int n = experimenter().unpause(ids == null ? List.of() : ids, experimentClass);
      System.out.println(n + " paused rows returned to created");
      return 0;
    }
  }

  @Command(name = "run-one", description = "Add the row with these keyfield values if missing and run it now, in this process (for Slurm arrays and other schedulers).")
  static final class RunOne extends Base {
    @Option(names = "--set", required = true, description = "A keyfield value, e.g. --set dataset=iris --set seed=3.")
    Map<String, String> values;

    @Option(names = "--json", description = "Print the row as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
      Experimenter ex = experimenter();
      Map<String, Object> row = ex.runOne(values, ex.experimentFromConfig());
      if (json) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Object> e : row.entrySet()) {
          Object v = e.getValue();
          String s = v == null ? "null" : v instanceof Number || v instanceof Boolean ? v.toString() : org.experimenter.eval.TableFormat.jsonString(v.toString());
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
      return "error".equals(row.get("status")) ? 1 : 0;
    }
  }

  @Command(name = "recover", description = "Return running rows whose worker stopped sending heartbeats to created (or error when out of attempts).")
  static final class Recover extends Base {
    @Override
    public Integer call() {
      org.experimenter.Recovery r = experimenter().recover();
      System.out.println(r.requeued() + " lost rows returned to created, " + r.failed() + " marked error (no attempts left)");
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
