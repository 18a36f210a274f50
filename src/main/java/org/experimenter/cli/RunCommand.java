package org.experimenter.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experiment;
import org.experimenter.Experimenter;
import org.experimenter.RunOptions;
import org.experimenter.RunSummary;
import org.experimenter.Status;
import org.experimenter.eval.Evaluation;
import org.experimenter.python.PythonExperiment;
import org.experimenter.spark.TaskResources;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter run}: runs the open rows on Spark and prints a summary. */
@Command(name = "run", description = "Run the open experiments on Spark.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(
            names = "--max-experiments",
            description = "At most this many experiments (default: the config's execution.max-experiments).")
    Long maxExperiments;

    @Mixin
    WhereOption condition;

    @Mixin
    StageOption only;

    @Option(names = "--ids", split = ",", description = "Run only these ids, e.g. 3,5,9.")
    List<Long> ids;

    // -1 stands for "no seed given": the option may come without a value
    @Option(
            names = "--random-order",
            arity = "0..1",
            fallbackValue = "-1",
            description = "Run rows in a shuffled order; an optional seed repeats a shuffle.")
    Long randomSeed;

    @Option(
            names = "--order",
            paramLabel = "id|seed-major",
            description = "The order rows are claimed in: id, or seed-major (every configuration of the smallest"
                    + " seed first, then the next; default: the config's execution.order).")
    String order;

    @Option(
            names = "--seed-field",
            paramLabel = "<keyfield>",
            description = "The int keyfield of seed-major order (default: the config's execution.seed-field).")
    String seedField;

    @Option(
            names = "--fill",
            description =
                    "First insert the grid's new rows, as fill does (rows already in the table stay as they are).")
    boolean fill;

    @Option(
            names = "--fill-from",
            paramLabel = "<file>",
            description = "First add the rows of this CSV or JSON file, as fill --from does.")
    Path fillFrom;

    // "" stands for "every numeric result field": the option may come without a value
    @Option(
            names = "--eval",
            arity = "0..1",
            fallbackValue = "",
            split = ",",
            paramLabel = "<field>",
            description = "Afterwards print mean, std and count over seeds of these result fields (default: every"
                    + " numeric one) of the done rows, as eval does (narrowed by --where and --stage), from the"
                    + " same Spark session.")
    List<String> eval;

    @Override
    public Integer call() {
        Experimenter ex = common.experimenter();
        Experiment experiment = ex.experimentFromConfig();
        // An unreachable database fails here, before the cluster is asked for executors.
        ex.createTable();
        if (fill) {
            FillCommand.report(ex, "grid of " + ex.grid().size(), ex::fill);
        }
        if (fillFrom != null) {
            FillCommand.report(ex, "from " + fillFrom, () -> ex.fillFromFile(fillFrom));
        }
        long max = maxExperiments != null ? maxExperiments : ex.config().maxExperiments();
        RunOptions options = RunOptions.all().where(condition.where).maxExperiments(max);
        if (ids != null) {
            options = options.ids(ids);
        }
        if (randomSeed != null) {
            options = options.randomOrder(randomSeed == -1 ? System.nanoTime() : randomSeed);
        }
        options = options.order(order).seedField(seedField).stage(only.stage);
        if (ex.config().halving() != null) {
            // a rung left complete but uncut (a driver killed between the two) is cut first
            ex.halve();
        }
        Map<Status, Long> counts = ex.status();
        boolean nothing = counts.get(Status.CREATED) == 0 && counts.get(Status.RUNNING) == 0;
        if (nothing) {
            // nothing open and nothing held (not even by a lost run): no Spark to start, unless to evaluate
            System.out.println("run: nothing to run in " + ex.config().table() + ", no row is created or running ("
                    + counts.get(Status.DONE) + " done, " + counts.get(Status.ERROR) + " error, "
                    + counts.get(Status.PAUSED) + " paused)");
            if (eval == null) {
                return 0;
            }
        }
        if (!nothing && experiment instanceof PythonExperiment python) {
            // a local run's tasks run in this JVM: its Python workers import the function while Spark starts
            long rows = counts.get(Status.CREATED);
            rows = Math.min(rows, ids != null ? ids.size() : max > 0 ? max : rows);
            python.prestart((int) Math.min(TaskResources.localSlots(SparkSessions.master(ex.config())), rows));
        }
        // the session's executors need the GPUs of the stage that runs (its stages section, if any);
        // without --stage, the most any stage's rows ask for
        SparkSession spark = SparkSessions.forRun(ex.config(), only.stage);
        try {
            Evaluation e = null;
            if (eval != null) {
                List<String> fields = eval.stream().filter(f -> !f.isBlank()).toList();
                e = ex.evaluation(spark)
                        .where(condition.where)
                        .stage(only.stage)
                        .fields(fields.isEmpty() ? null : fields, "--eval");
                e.resultFields(); // a field that is no numeric result field fails before the run
            }
            if (!nothing) {
                RunSummary s = ex.run(spark, experiment, options);
                System.out.print(s);
            }
            if (e != null) {
                EvalCommand.print(spark, e, e.collect(), OutputOptions.console());
            }
            return 0;
        } finally {
            SparkSessions.close(spark);
        }
    }
}
