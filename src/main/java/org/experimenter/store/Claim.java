package org.experimenter.store;

import java.io.Serializable;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Who holds a claimed row: the run, the executor and a token unique to one claim. Completion
 * is guarded by the token, so a worker that lost its lease cannot overwrite the new owner.
 *
 * @param sparkApp the Spark application id, or null outside Spark (run-one)
 */
public record Claim(String runId, String executor, String machine, String token, String sparkApp)
        implements Serializable {
    /** The row's columns a claim is kept in, in the order {@link #read} takes them. */
    static final String COLUMNS = "run_id, executor, machine, claim_token, spark_app";

    /** The claim of a row read with {@link #COLUMNS} starting at column {@code first}. */
    static Claim read(ResultSet rs, int first) throws SQLException {
        return new Claim(
                rs.getString(first),
                rs.getString(first + 1),
                rs.getString(first + 2),
                rs.getString(first + 3),
                rs.getString(first + 4));
    }
}
