package org.experimenter;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Map;

/** What an experiment gets for one row: its parameters, a writer for results, the custom config. */
public interface ExperimentContext {

    /** The row's id in the experiment table. */
    long id();

    /**
     * Which attempt at this row this is: 1 for the first, counting the attempts that failed or
     * were lost before (a checkpoint written by an earlier attempt can be resumed from).
     */
    int attempt();

    /** The row's keyfield values, with typed getters. */
    Parameters parameters();

    /** Where results go; declared result fields only, with their declared types. */
    ResultWriter results();

    /**
     * Appends a row to a declared log table ({@code logtables { epochs { epoch = int, loss =
     * double } }}). Values are copied and checked at once; rows are written in batches, at the
     * latest when the experiment ends or {@link ResultWriter#flush()} is called.
     */
    void log(String logtable, Map<String, ?> row);

    /**
     * Ends this experiment as {@code paused} instead of done once {@code run} returns (after
     * writing a checkpoint, say). Results set so far are kept; {@code unpause} makes it runnable again.
     */
    void pause();

    /** The {@code custom} section of the config, as given. */
    Config custom();

    /**
     * The GPUs Spark gave this row ({@code resources.gpus}), as addresses such as {@code ["0",
     * "1"]}: the row's own, for {@code CUDA_VISIBLE_DEVICES} or a device index; empty when the
     * config asks for none.
     */
    default List<String> gpus() {
        return List.of();
    }

    /**
     * The memory this attempt is given in bytes ({@code resources.memory}, or a larger level of
     * {@code resources.escalate} after an attempt ran out of memory); 0 when the config sets none.
     */
    default long memory() {
        return 0;
    }

    /**
     * The cores this row is given ({@code resources.cpus}, its stage's where {@code stages { n {
     * resources { ... } } }} gives them); 1 when the config sets none.
     */
    default int cpus() {
        return 1;
    }

    /**
     * This attempt's artifact folder, {@code <artifacts.root>/<table>/<id>/attempt-<n>/} (a local
     * staging folder copied there when the attempt ends, for a root on another file system): the
     * files left in it are listed in {@code <table>__artifacts} when the attempt ends, done or
     * not. Throws when the config sets no {@code artifacts.root}.
     */
    default java.nio.file.Path artifactDir() {
        throw new ExperimenterException("artifactDir(): the config sets no artifacts.root");
    }

    /** True once the run is stopping (Ctrl-C, SIGTERM, timeout): long experiments should return. */
    boolean isStopping();
}
