package org.experimenter.cli;

import java.util.concurrent.Callable;
import org.experimenter.Experimenter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code experimenter halve}: cuts the complete rungs of a halving run by hand. */
@Command(
        name = "halve",
        description = "Cut every complete rung of the halving section's run that is not cut yet: the best 1/eta get"
                + " a row at budget x eta, the rest are marked stopped. run does this itself.")
final class HalveCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        Experimenter ex = common.experimenter();
        int added = ex.halve();
        System.out.printf("%s: %d rows promoted to the next rung%n", ex.config().table(), added);
        return 0;
    }
}
