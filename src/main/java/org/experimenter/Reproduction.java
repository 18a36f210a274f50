package org.experimenter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.experimenter.config.DatabaseKind;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.spark.Worker;
import org.experimenter.store.ClaimedRow;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.Jdbc;

/**
 * One stored row run again, alone, as {@code run-one} runs a row (in this process, without
 * Spark), with its stored keyfield values, the config's custom section and the config's
 * experiment, and its results beside the stored ones. The rerun writes to a scratch SQLite file
 * of its own, deleted afterwards: the stored row, its attempts and its log rows are never touched.
 * The scratch row keeps the stored row's id, since an experiment may read it.
 */
public final class Reproduction {
    /** One result field: the stored value, the rerun's, and rerun minus stored for numbers (else null). */
    public record Field(String name, Object stored, Object rerun, Double difference) {
        /** Whether both runs gave the same value (numbers compared exactly). */
        public boolean same() {
            return Objects.equals(stored, rerun)
                    || (stored instanceof Number a && rerun instanceof Number b && a.doubleValue() == b.doubleValue());
        }
    }

    /**
     * The comparison: both rows (every column), the result fields, and the code version of the
     * stored row's last attempt and of the rerun (null when the attempts table does not record it).
     */
    public record Result(
            long id,
            Map<String, Object> stored,
            Map<String, Object> rerun,
            List<Field> fields,
            String storedCodeVersion,
            String rerunCodeVersion) {
        /** Whether code versions were recorded for both runs. */
        public boolean codeRecorded() {
            return storedCodeVersion != null && rerunCodeVersion != null;
        }

        public boolean codeMatches() {
            return codeRecorded() && storedCodeVersion.equals(rerunCodeVersion);
        }
    }

    private Reproduction() {}

    static Result run(ExperimentConfig config, long id, Experiment experiment) {
        ExperimentStore store = new ExperimentStore(config);
        if (!store.tableExists()) {
            throw new ExperimenterException("table " + config.table() + " does not exist (" + config.origin() + ")");
        }
        Map<String, Object> stored = store.row(id);
        Object status = stored.get("status");
        if (Status.CREATED.dbName().equals(status) || Status.RUNNING.dbName().equals(status)) {
            throw new ExperimenterException("experiment " + id + " of " + config.table() + " is " + status
                    + ": nothing stored to compare with; reproduce a row that is done, error or paused");
        }
        Object[] keys = new Object[config.keyfields().size()];
        for (int i = 0; i < keys.length; i++) {
            // read in the keyfield's declared type
            keys[i] = stored.get(config.keyfields().get(i).name());
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("experimenter-reproduce-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a scratch folder for the rerun", e);
        }
        try {
            ExperimentConfig scratch = config.withOverrides(Map.of(
                            "database.url",
                            DatabaseKind.SQLITE.urlPrefix() + dir.resolve("reproduce.db"),
                            "database.user",
                            "",
                            "database.password",
                            "",
                            // the rerun's files go to the scratch folder, never over the stored row's artifacts
                            "artifacts.root",
                            config.artifactRoot() == null
                                    ? ""
                                    : dir.resolve("artifacts").toString()))
                    // the scratch row is of stage 1; the rerun gets the resources of the stored row's stage
                    .forStage(Experimenter.stageOf(stored));
            ExperimentStore rerunStore = new ExperimentStore(scratch);
            rerunStore.createTableIfMissing();
            rerunStore.fill(List.<Object[]>of(keys).iterator());
            long scratchId = rerunStore.idOf(keys);
            if (scratchId != id) {
                try (Connection c = rerunStore.connect()) {
                    Jdbc.update(c, "UPDATE " + scratch.table() + " SET id = ? WHERE id = ?", ps -> {
                        ps.setLong(1, id);
                        ps.setLong(2, scratchId);
                    });
                } catch (SQLException e) {
                    throw rerunStore.failure("cannot prepare the scratch row", e);
                }
            }
            String runId = "reproduce-" + java.util.UUID.randomUUID().toString().substring(0, 8);
            try (Worker w = new Worker(
                    rerunStore,
                    experiment,
                    runId,
                    "reproduce-" + ProcessHandle.current().pid(),
                    null)) {
                w.runCandidates(List.of(new ClaimedRow(id, keys)));
            }
            Map<String, Object> rerun = rerunStore.row(id);
            List<Field> fields = new ArrayList<>();
            for (String r : config.resultfields().keySet()) {
                Object a = stored.get(r);
                Object b = rerun.get(r);
                Double diff = a instanceof Number x && b instanceof Number y ? y.doubleValue() - x.doubleValue() : null;
                fields.add(new Field(r, a, b, diff));
            }
            return new Result(
                    id,
                    stored,
                    rerun,
                    fields,
                    codeVersion(store.lastAttempt(id)),
                    codeVersion(rerunStore.lastAttempt(id)));
        } finally {
            deleteQuietly(dir);
        }
    }

    /** The attempt's code version with {@code (dirty)} when its working tree was; null when not recorded. */
    private static String codeVersion(Map<String, Object> attempt) {
        Object v = attempt.get("code_version");
        if (v == null) {
            return null;
        }
        Object dirty = attempt.get("code_dirty");
        boolean isDirty = dirty instanceof Boolean b ? b : dirty instanceof Number n && n.intValue() != 0;
        return v + (isDirty ? " (dirty)" : "");
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a scratch file left in the temporary folder is harmless
        }
    }
}
