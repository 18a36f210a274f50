package org.experimenter.store;

import java.io.Serializable;

/**
 * Who holds a claimed row: the run, the executor and a token unique to one claim. Completion
 * is guarded by the token, so a worker that lost its lease cannot overwrite the new owner.
 *
 * @param sparkApp the Spark application id, or null outside Spark (run-one)
 */
public record Claim(String runId, String executor, String machine, String token, String sparkApp)
        implements Serializable {}
