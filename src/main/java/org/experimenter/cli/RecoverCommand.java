package org.experimenter.cli;

import java.util.concurrent.Callable;
import org.experimenter.Recovery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code experimenter recover}: returns running rows whose worker is gone to created, or error. */
@Command(
        name = "recover",
        description = "Return running rows whose worker stopped sending heartbeats to created"
                + " (or error when out of attempts).")
final class RecoverCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        Recovery r = common.experimenter().recover();
        System.out.println(
                r.requeued() + " lost rows returned to created, " + r.failed() + " marked error (no attempts left)");
        return 0;
    }
}
