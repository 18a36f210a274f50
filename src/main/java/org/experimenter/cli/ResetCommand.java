package org.experimenter.cli;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.experimenter.Experimenter;
import org.experimenter.ExperimenterException;
import org.experimenter.Status;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter reset}: returns rows chosen by status, id or condition to created. */
@Command(
        name = "reset",
        description =
                "Return rows to created, clearing their results and errors; ids and the attempt history are kept.")
final class ResetCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--status", split = ",", description = "Statuses to reset, e.g. error,running.")
    List<String> statuses;

    @Option(names = "--ids", split = ",", description = "Ids to reset, e.g. 3,5,9.")
    List<Long> ids;

    @Mixin
    WhereOption condition;

    @Option(
            names = "--keep-artifacts",
            description = "Keep the rows' artifact folders and their rows in the artifacts table.")
    boolean keepArtifacts;

    @Override
    public Integer call() {
        int given = (statuses == null ? 0 : 1) + (ids == null ? 0 : 1) + (condition.where == null ? 0 : 1);
        if (given != 1) {
            throw new ExperimenterException("reset: give exactly one of --status, --ids or --where");
        }
        Experimenter ex = common.experimenter();
        int n;
        if (statuses != null) {
            Set<Status> set = EnumSet.noneOf(Status.class);
            for (String s : statuses) {
                set.add(Status.parse(s));
            }
            n = ex.reset(set, keepArtifacts);
        } else if (ids != null) {
            n = ex.resetIds(ids, keepArtifacts);
        } else {
            n = ex.resetWhere(condition.where, keepArtifacts);
        }
        System.out.println(n + " rows reset to created");
        return 0;
    }
}
