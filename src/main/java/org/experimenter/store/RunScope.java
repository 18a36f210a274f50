package org.experimenter.store;

import java.io.Serializable;
import java.util.List;

/**
 * Which rows a run takes and in what order, as a value: parsed once where the run starts, sent
 * to the executors as it is, and written as SQL only by the store ({@link ScopeSql}).
 *
 * @param where a checked condition, or null for every row
 * @param ids only these ids (each checked to exist when the run starts), or empty for any
 * @param shuffleSeed the seed of a shuffled order, or null for id order
 * @param lastOrderKey the largest order key in scope (a run of at most n rows), or null for no limit
 * @param returnedOnly only rows that ran before (released by a stopped run, recovered from a
 *     lost executor): a partial index holds just these
 * @param seedField the int keyfield of seed-major order (every row of its smallest value first,
 *     each value's rows in id or shuffled order), or null
 */
public record RunScope(
        Where where, List<Long> ids, Long shuffleSeed, Long lastOrderKey, boolean returnedOnly, String seedField)
        implements Serializable {
    /** The modulus of the shuffled order: order keys lie in [0, SHUFFLE_MODULUS). */
    public static final long SHUFFLE_MODULUS = 4294967291L;

    public RunScope {
        ids = List.copyOf(ids);
        if (shuffleSeed != null) {
            shuffleSeed = Math.floorMod(shuffleSeed, SHUFFLE_MODULUS);
        }
    }

    /** Every row, in id order. */
    public static RunScope all() {
        return new RunScope(null, List.of(), null, null, false, null);
    }

    public RunScope where(Where condition) {
        return new RunScope(condition, ids, shuffleSeed, lastOrderKey, returnedOnly, seedField);
    }

    public RunScope ids(List<Long> only) {
        return new RunScope(where, only, shuffleSeed, lastOrderKey, returnedOnly, seedField);
    }

    public RunScope shuffled(Long seed) {
        return new RunScope(where, ids, seed, lastOrderKey, returnedOnly, seedField);
    }

    /** At most the rows whose order key is at most this one. */
    public RunScope upTo(long orderKey) {
        return new RunScope(where, ids, shuffleSeed, orderKey, returnedOnly, seedField);
    }

    /** The same scope, narrowed to rows that ran before. */
    public RunScope returned() {
        return new RunScope(where, ids, shuffleSeed, lastOrderKey, true, seedField);
    }

    /**
     * Rows in seed-major order of this int keyfield: every row of its smallest value before any
     * of the next (null: id or shuffled order alone).
     */
    public RunScope seedMajor(String keyfield) {
        return new RunScope(where, ids, shuffleSeed, lastOrderKey, returnedOnly, keyfield);
    }

    public boolean isSeedMajor() {
        return seedField != null;
    }

    /** Seed-major order keys are a seed times this plus the id order: ids must stay below it. */
    public static final long SEED_STRIDE = 1L << 32;

    public boolean isShuffled() {
        return shuffleSeed != null;
    }
}
