package org.experimenter.spark;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.experimenter.ExperimentContext;
import org.experimenter.ExperimenterException;
import org.experimenter.FieldType;
import org.experimenter.Parameters;
import org.experimenter.ResultWriter;
import org.experimenter.StoreException;
import org.experimenter.artifacts.ArtifactFile;
import org.experimenter.artifacts.ArtifactRoot;
import org.experimenter.artifacts.AttemptArtifacts;
import org.experimenter.config.Resources;
import org.experimenter.store.ExperimentStore;

/**
 * Results and log rows of one running experiment: checked against the config when they are
 * given, kept until the row is written, or written early by {@link ResultWriter#flush()}.
 * Writes are guarded by the claim token (by the running status when attached without one).
 * Used by the worker for the experiment it runs and by {@code Experimenter.attach} for
 * another thread or process that reports for a running experiment.
 */
public final class RowContext implements ExperimentContext, ResultWriter, AutoCloseable {
    private static final int LOG_BATCH = 500;

    private final ExperimentStore store;
    private final long id;
    private final String token;
    private final Parameters parameters;
    private final Config custom;
    private final BooleanSupplier stopping;
    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, Instant> times = new HashMap<>();
    private final Map<String, List<Map<String, Object>>> logs = new LinkedHashMap<>();
    private final Map<String, List<Instant>> logTimes = new HashMap<>();
    private int attempt;
    private List<String> gpus = List.of();
    private long memory;
    private int cpus = 1;
    private AttemptArtifacts artifacts;
    private boolean closed;
    private volatile boolean paused;
    volatile boolean timedOut;

    public RowContext(ExperimentStore store, long id, String token, Parameters parameters, BooleanSupplier stopping) {
        this.store = store;
        this.id = id;
        this.token = token;
        this.parameters = parameters;
        this.custom = store.config().custom();
        this.stopping = stopping;
    }

    @Override
    public long id() {
        return id;
    }

    /** Read from the row when first asked: only experiments that want it pay the query. */
    @Override
    public synchronized int attempt() {
        if (attempt == 0) {
            attempt = store.attempt(id);
        }
        return attempt;
    }

    @Override
    public List<String> gpus() {
        return gpus;
    }

    @Override
    public long memory() {
        return memory;
    }

    @Override
    public int cpus() {
        return cpus;
    }

    /**
     * What the worker gives this attempt: the resources of the row's stage and level, and the
     * task's GPUs when they ask for any.
     */
    void assign(List<String> taskGpus, Resources given) {
        this.gpus = given.gpus() > 0 ? List.copyOf(taskGpus) : List.of();
        this.memory = given.memory();
        this.cpus = given.cpus();
    }

    /** Made on the first call, so that rows that leave no files cost nothing. */
    @Override
    public synchronized Path artifactDir() {
        ArtifactRoot root = store.config().artifactRoot();
        if (root == null) {
            return ExperimentContext.super.artifactDir();
        }
        if (artifacts == null) {
            artifacts = root.open(store.table(), id, attempt());
        }
        return artifacts.dir();
    }

    /**
     * When the attempt ends: lists the files of its artifact folder (copied up first for a root
     * on another file system) into {@code <table>__artifacts}; nothing when none was asked for.
     */
    public synchronized void finishArtifacts() {
        if (artifacts != null) {
            List<ArtifactFile> files = artifacts.finish();
            store.artifacts().record(id, attempt(), files);
            artifacts = null;
        }
    }

    @Override
    public Parameters parameters() {
        return parameters;
    }

    @Override
    public ResultWriter results() {
        return this;
    }

    @Override
    public Config custom() {
        return custom;
    }

    @Override
    public boolean isStopping() {
        return timedOut || stopping.getAsBoolean();
    }

    @Override
    public void pause() {
        paused = true;
    }

    public boolean paused() {
        return paused;
    }

    @Override
    public synchronized ResultWriter put(String field, Object value) {
        FieldType type = store.config().resultfields().get(field);
        if (type == null) {
            throw new ExperimenterException("result field '" + field + "' is not declared in resultfields; declared: "
                    + store.config().resultfields().keySet());
        }
        try {
            values.put(field, storable(type.coerce(value)));
        } catch (IllegalArgumentException e) {
            throw new ExperimenterException("result field '" + field + "': " + e.getMessage(), e);
        }
        times.put(field, store.now());
        return this;
    }

    /** A value the database can keep: MySQL's DOUBLE has no infinity, so it is refused at once. */
    private Object storable(Object value) {
        if (value instanceof Double d && d.isInfinite() && !store.dialect().storesInfinity()) {
            throw new IllegalArgumentException(
                    d + " cannot be stored in " + store.dialect().name() + ", whose DOUBLE has no infinity");
        }
        return value;
    }

    @Override
    public synchronized void log(String logtable, Map<String, ?> row) {
        Map<String, FieldType> cols = store.config().logtables().get(logtable);
        if (cols == null) {
            throw new ExperimenterException("log table '" + logtable + "' is not declared in logtables; declared: "
                    + store.config().logtables().keySet());
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : row.entrySet()) {
            FieldType type = cols.get(e.getKey());
            if (type == null) {
                throw new ExperimenterException("log table '" + logtable + "' has no column '" + e.getKey()
                        + "'; its columns: " + cols.keySet());
            }
            try {
                copy.put(e.getKey(), storable(type.coerce(e.getValue())));
            } catch (IllegalArgumentException ex) {
                throw new ExperimenterException(
                        "log table '" + logtable + "', column '" + e.getKey() + "': " + ex.getMessage(), ex);
            }
        }
        checkOpen("log()");
        logs.computeIfAbsent(logtable, k -> new ArrayList<>()).add(copy);
        logTimes.computeIfAbsent(logtable, k -> new ArrayList<>()).add(store.now());
        if (logs.get(logtable).size() >= LOG_BATCH) {
            writeLogs();
        }
    }

    @Override
    public synchronized void flush() {
        checkOpen("flush()");
        writeLogs();
        try (Connection connection = store.connectHoldingRows()) {
            if (!store.writeResults(connection, id, token, new LinkedHashMap<>(values), new HashMap<>(times))) {
                throw new ExperimenterException("experiment " + id + " of " + store.table()
                        + " is no longer running under this claim (lost lease, reset or taken over);"
                        + " results not written");
            }
        } catch (SQLException e) {
            throw store.failure("cannot write results of experiment " + id, e);
        }
    }

    /** Writes pending log rows; called before the row's final write. */
    public synchronized void writeLogs() {
        if (!hasPendingLogs()) {
            return;
        }
        try (Connection connection = store.connectHoldingRows()) {
            for (Map.Entry<String, List<Map<String, Object>>> e : logs.entrySet()) {
                if (!e.getValue().isEmpty()) {
                    if (!store.appendLog(connection, e.getKey(), id, token, e.getValue(), logTimes.get(e.getKey()))) {
                        throw new StoreException("experiment " + id + " of " + store.table()
                                + " is no longer running under this claim (lost lease, reset or taken over); "
                                + e.getValue().size() + " log rows not written");
                    }
                    e.getValue().clear();
                    logTimes.get(e.getKey()).clear();
                }
            }
        } catch (SQLException e) {
            throw store.failure("cannot write log rows of experiment " + id, e);
        }
    }

    public synchronized boolean hasPendingLogs() {
        for (List<Map<String, Object>> l : logs.values()) {
            if (!l.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    public synchronized Map<String, Object> resultValues() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public synchronized Map<String, Instant> resultTimes() {
        return Collections.unmodifiableMap(new HashMap<>(times));
    }

    /**
     * After the experiment ended (its outcome taken, or given up after a timeout) nothing more is
     * written through this context: an abandoned thread cannot write under the row's next owner.
     */
    private void checkOpen(String call) {
        if (closed) {
            throw new ExperimenterException("experiment " + id + " of " + store.table() + " has ended; " + call
                    + " after its end is not written");
        }
    }

    /** Ends the context: later log() and flush() calls throw. Each write took and returned its own connection. */
    @Override
    public synchronized void close() {
        closed = true;
    }
}
