package org.experimenter.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import org.experimenter.Experimenter;
import org.experimenter.ExperimenterException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter fill}: creates the table if missing and adds rows from the grid, a file or combinations. */
@Command(
        name = "fill",
        description = "Create the table if missing and insert the grid's new rows (or rows from a file).")
final class FillCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(
            names = "--from",
            description = "Add the rows of this CSV (header of keyfield names) or JSON file instead of the grid.")
    Path from;

    @Option(
            names = "--combinations",
            description = "A HOCON/JSON file: fixed = [ {model = knn, k = 3}, ... ], optional grid { seed = [0, 1] };"
                    + " each fixed combination is crossed with the values of the other keyfields.")
    Path combinations;

    @Option(
            names = "--dry-run",
            description = "Insert nothing: print how many rows the grid has and, with a halving section, the"
                    + " Hyperband plan (brackets of configurations x budget per rung).")
    boolean dryRun;

    @Override
    public Integer call() {
        Experimenter ex = common.experimenter();
        if (dryRun) {
            System.out.printf(
                    "%s: the grid has %d rows; --dry-run inserted nothing%n",
                    ex.config().table(), ex.grid().size());
            if (ex.config().halving() != null) {
                System.out.print(ex.config()
                        .halving()
                        .plan()
                        .describe(ex.config().halving().field()));
            }
            return 0;
        }
        if (from != null) {
            report(ex, "from " + from, () -> ex.fillFromFile(from));
        } else if (combinations != null) {
            report(ex, "from the combinations in " + combinations, () -> fillCombinations(ex, combinations));
        } else {
            report(ex, "grid of " + ex.grid().size(), ex::fill);
        }
        return 0;
    }

    /** Fills, then says how many rows it added from where, and in how long. */
    static void report(Experimenter ex, String what, LongSupplier fill) {
        long t0 = System.nanoTime();
        long n = fill.getAsLong();
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%s: %d new rows (%s) in %.1f s%n", ex.config().table(), n, what, seconds);
    }

    private static long fillCombinations(Experimenter ex, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ExperimenterException(file + ": no such file");
        }
        Config c;
        try {
            c = ConfigFactory.parseFile(file.toFile()).resolve();
        } catch (ConfigException e) {
            throw new ExperimenterException(e.getMessage(), e);
        }
        if (!c.hasPath("fixed")) {
            throw new ExperimenterException(file + ": missing 'fixed', a list of objects of keyfield values");
        }
        List<Map<String, ?>> fixed = new ArrayList<>();
        for (ConfigObject o : c.getObjectList("fixed")) {
            fixed.add(o.unwrapped());
        }
        Map<String, List<?>> grid = new LinkedHashMap<>();
        if (c.hasPath("grid")) {
            for (String k : c.getObject("grid").keySet()) {
                grid.put(k, c.getList("grid." + k).unwrapped());
            }
        }
        return ex.fillCombinations(fixed, grid);
    }
}
