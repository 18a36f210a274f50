package org.experimenter.cli;

import java.util.concurrent.Callable;
import org.experimenter.Experimenter;
import org.experimenter.Recovery;
import org.experimenter.Status;
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
        Experimenter ex = common.experimenter();
        Recovery r = ex.recover();
        System.out.println(
                r.requeued() + " lost rows returned to created, " + r.failed() + " marked error (no attempts left)");
        long running = ex.status().getOrDefault(Status.RUNNING, 0L);
        if (running > 0) {
            // a row is lost only once its heartbeat is older than its lease: one whose driver was just
            // killed still looks alive until then
            System.out.println(running + " rows still running: alive, or lost less than their lease ("
                    + ex.config().leaseTimeout().toSeconds() + " s) ago; a lost one returns to created once its"
                    + " lease has expired, at the next recover or run");
        }
        return 0;
    }
}
