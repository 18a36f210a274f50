package org.experimenter.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A tiny JDBC helper: transactions that roll back unless committed, lambdas for binding. */
public final class Jdbc {
    private Jdbc() {}

    @FunctionalInterface
    public interface SqlWork<T> {
        T apply(Connection c) throws SQLException;
    }

    @FunctionalInterface
    public interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Runs work in one transaction: committed when it returns, rolled back when it throws. */
    public static <T> T inTransaction(Connection c, SqlWork<T> work) throws SQLException {
        boolean auto = c.getAutoCommit();
        if (auto) {
            c.setAutoCommit(false);
        }
        boolean committed = false;
        try {
            T result = work.apply(c);
            c.commit();
            committed = true;
            return result;
        } finally {
            if (!committed) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the original failure matters more; a broken connection is discarded by the caller
                }
            }
            if (auto) {
                c.setAutoCommit(true);
            }
        }
    }

    public static int update(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        }
    }

    public static <T> List<T> query(Connection c, String sql, Binder binder, RowMapper<T> mapper) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        }
    }

    public static final Binder NO_PARAMETERS = ps -> {};

    /** One statement over a chunk of ids ({@link #byIdChunks}). */
    @FunctionalInterface
    public interface IdChunk {
        /**
         * @param marks the chunk's placeholders, {@code ?, ?, ...}, for an {@code IN (...)}
         * @param chunk the ids, to bind in order
         */
        void apply(String marks, List<Long> chunk) throws SQLException;
    }

    /**
     * Runs a statement per chunk of at most {@code size} ids (an {@code IN} list of that many
     * placeholders stays far below every database's limit on parameters).
     */
    public static void byIdChunks(List<Long> ids, int size, IdChunk work) throws SQLException {
        for (int from = 0; from < ids.size(); from += size) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + size));
            work.apply(String.join(", ", Collections.nCopies(chunk.size(), "?")), chunk);
        }
    }

    /** Binds one item's parameters on a batch statement. */
    public interface ItemBinder<T> {
        void bind(PreparedStatement ps, T item) throws SQLException;
    }

    /** Adds each item to the statement's batch, executing it every {@code size} items and at the end. */
    public static <T> void inBatches(PreparedStatement ps, Iterable<T> items, int size, ItemBinder<T> binder)
            throws SQLException {
        int pending = 0;
        for (T item : items) {
            binder.bind(ps, item);
            ps.addBatch();
            if (++pending == size) {
                ps.executeBatch();
                pending = 0;
            }
        }
        if (pending > 0) {
            ps.executeBatch();
        }
    }
}
