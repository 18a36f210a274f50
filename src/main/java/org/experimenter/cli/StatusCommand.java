package org.experimenter.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.experimenter.Status;
import org.experimenter.store.CodeVersionCount;
import org.experimenter.store.ExperimentStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter status}: the number of rows per status, as text or one JSON object. */
@Command(name = "status", description = "Print the number of rows per status.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--json", description = "Print one JSON object mapping each status to its count.")
    boolean json;

    @Override
    public Integer call() {
        Map<Status, Long> counts = common.experimenter().status();
        if (json) {
            Map<String, Long> byName = new LinkedHashMap<>();
            counts.forEach((status, n) -> byName.put(status.dbName(), n));
            System.out.println(JsonLine.of(byName));
        } else {
            long total = 0;
            for (Map.Entry<Status, Long> e : counts.entrySet()) {
                System.out.printf("%-8s %d%n", e.getKey().dbName(), e.getValue());
                total += e.getValue();
            }
            System.out.printf("%-8s %d%n", "total", total);
        }
        String warning =
                codeVersionWarning(new ExperimentStore(common.experimenter().config()));
        if (warning != null) {
            System.err.println(warning);
        }
        return 0;
    }

    /**
     * A warning when the done rows came from more than one code version, naming each with its
     * rows; null when they agree.
     */
    static String codeVersionWarning(ExperimentStore store) {
        List<CodeVersionCount> versions;
        try {
            versions = store.codeVersionsOfDoneRows();
        } catch (org.experimenter.StoreException olderTable) {
            return null; // an attempts table of an earlier version has no code_version until a run adds it
        }
        String warning = CodeVersionCount.warning(store.table(), versions);
        return warning == null ? null : "warning: " + warning;
    }
}
