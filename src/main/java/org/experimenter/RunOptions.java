package org.experimenter;

import java.util.List;

/**
 * Which open rows a run takes and in what order. Immutable; start from {@link #all()}.
 *
 * <pre>{@code
 * RunOptions.all().where("dataset = 'iris'").maxExperiments(100).randomOrder(42)
 * }</pre>
 */
public final class RunOptions {
    private final String where;
    private final List<Long> ids;
    private final long maxExperiments;
    private final Long randomSeed;
    private final String order;
    private final String seedField;
    private final Integer stage;

    private RunOptions(
            String where,
            List<Long> ids,
            long maxExperiments,
            Long randomSeed,
            String order,
            String seedField,
            Integer stage) {
        this.where = where;
        this.ids = ids;
        this.maxExperiments = maxExperiments;
        this.randomSeed = randomSeed;
        this.order = order;
        this.seedField = seedField;
        this.stage = stage;
    }

    public static RunOptions all() {
        return new RunOptions(null, List.of(), 0, null, null, null, null);
    }

    /**
     * The claim order: {@code "id"} or {@code "seed-major"} (every configuration of the smallest
     * seed first, then the next seed), null for the config's {@code execution.order}.
     */
    public RunOptions order(String order) {
        if (order != null && !order.equals("id") && !order.equals("seed-major")) {
            throw new ExperimenterException("--order " + order + ": expected id or seed-major");
        }
        return new RunOptions(where, ids, maxExperiments, randomSeed, order, seedField, stage);
    }

    /** The keyfield seed-major order goes by, null for the config's {@code execution.seed-field}. */
    public RunOptions seedField(String keyfield) {
        return new RunOptions(where, ids, maxExperiments, randomSeed, order, keyfield, stage);
    }

    /** The claim order given, or null for the config's. */
    public String order() {
        return order;
    }

    /** The seed keyfield given, or null for the config's. */
    public String seedField() {
        return seedField;
    }

    /** Only rows matching this SQL condition over keyfields and columns, e.g. {@code "seed < 3"}. */
    public RunOptions where(String predicate) {
        return new RunOptions(
                predicate == null || predicate.isBlank() ? null : predicate,
                ids,
                maxExperiments,
                randomSeed,
                order,
                seedField,
                stage);
    }

    /** Only these ids; each must exist. */
    public RunOptions ids(List<Long> ids) {
        return new RunOptions(where, List.copyOf(ids), maxExperiments, randomSeed, order, seedField, stage);
    }

    /** At most n rows; 0 for all. */
    public RunOptions maxExperiments(long n) {
        if (n < 0) {
            throw new ExperimenterException("max-experiments must not be negative, found " + n);
        }
        return new RunOptions(where, ids, n, randomSeed, order, seedField, stage);
    }

    /** Rows in a shuffled order (the same for the same seed) instead of id order. */
    public RunOptions randomOrder(long seed) {
        return new RunOptions(where, ids, maxExperiments, seed, order, seedField, stage);
    }

    /**
     * Only rows of this stage (1: the grid, 2 and up: rows promote added), null for every stage;
     * a run of one stage gets the resources of its {@code stages} section.
     */
    public RunOptions stage(Integer stage) {
        if (stage != null && stage < 1) {
            throw new ExperimenterException("--stage " + stage + ": stages are numbered from 1 (the grid's rows)");
        }
        return new RunOptions(where, ids, maxExperiments, randomSeed, order, seedField, stage);
    }

    /** The stage given, or null for every stage. */
    public Integer stage() {
        return stage;
    }

    public String where() {
        return where;
    }

    public List<Long> ids() {
        return ids;
    }

    public long maxExperiments() {
        return maxExperiments;
    }

    /** The shuffle seed, or null for id order. */
    public Long randomSeed() {
        return randomSeed;
    }
}
