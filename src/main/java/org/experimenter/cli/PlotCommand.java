package org.experimenter.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.ExperimenterException;
import org.experimenter.eval.Plotter;
import org.experimenter.eval.Stat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter plot}: a result field against a numeric keyfield, PNG or SVG. */
@Command(
        name = "plot",
        description = "Plot a result field against a numeric keyfield: one line per group of the other keyfields,"
                + " the mean over --over with a band.")
final class PlotCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--x", required = true, description = "The numeric keyfield on the x axis, e.g. k.")
    String x;

    @Option(names = "--y", required = true, description = "The numeric result field on the y axis, e.g. accuracy.")
    String y;

    @Option(
            names = "--over",
            split = ",",
            description = "Keyfields to average over (default: seed, when there is such a keyfield).")
    List<String> over;

    @Option(
            names = "--band",
            defaultValue = "std",
            description = "The band around each mean: std, se, ci95 or none (default: std).")
    String band;

    @Mixin
    WhereOption condition;

    @Mixin
    StageOption only;

    @Option(names = "--output", required = true, description = "The picture to write: a .png or .svg file.")
    Path output;

    @Option(names = "--width", defaultValue = "800", description = "Width in pixels (default: 800).")
    int width;

    @Option(names = "--height", defaultValue = "500", description = "Height in pixels (default: 500).")
    int height;

    @Option(names = "--title", description = "The chart's title (default: \"<y> by <x>\").")
    String title;

    @Override
    public Integer call() {
        Experimenter ex = common.experimenter();
        String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".png") && !name.endsWith(".svg")) {
            throw new ExperimenterException("--output " + output + ": expected a file name ending in .png or .svg");
        }
        Stat spread = band.equalsIgnoreCase("none") ? null : Stat.parse(band);
        if (spread != null && !spread.isSpread()) {
            throw new ExperimenterException("--band " + band + ": expected std, se, ci95 or none");
        }
        SparkSession spark = SparkSessions.open(ex.config());
        try {
            Plotter p = ex.plotter(spark)
                    .x(x)
                    .y(y)
                    .over(over)
                    .where(condition.where)
                    .stage(only.stage)
                    .band(spread)
                    .size(width, height)
                    .title(title);
            System.out.println("wrote " + p.write(output));
            return 0;
        } finally {
            SparkSessions.close(spark);
        }
    }
}
