package org.experimenter.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter unpause}: returns paused rows to created, optionally with another experiment class. */
@Command(
        name = "unpause",
        description = "Return paused rows (all, or --ids) to created, optionally with another experiment class.")
final class UnpauseCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--ids", split = ",", description = "Only these ids.")
    List<Long> ids;

    @Option(
            names = "--experiment-class",
            description = "Run these rows with this class next time (e.g. one that resumes from a checkpoint).")
    String experimentClass;

    @Override
    public Integer call() {
        int n = common.experimenter().unpause(ids == null ? List.of() : ids, experimentClass);
        System.out.println(n + " paused rows returned to created");
        return 0;
    }
}
