package org.experimenter.store;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import org.experimenter.FieldType;
import org.experimenter.StoreException;
import org.experimenter.grid.Parameter;

/**
 * Inserts grid rows into the experiment table in one transaction, skipping keyfield
 * combinations it already has: the UNIQUE constraint decides, so concurrent fills never
 * duplicate. The statement is the dialect's; it takes rows in JDBC batches or, where the
 * database has arrays, a chunk of rows as one array per keyfield.
 */
final class GridFill implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int FILL_BATCH = 5_000;

    private final Database db;
    private final List<Parameter> keyfields;
    /** Longer string keyfields are refused here, before the database would cut or refuse them. */
    private final int keyTextLength;

    GridFill(Database db) {
        this.db = db;
        this.keyfields = db.config.keyfields();
        this.keyTextLength = db.schema.keyTextLength();
    }

    /** Inserts the given keyfield combinations (values in keyfield order); returns the number of new rows. */
    long fill(Iterator<Object[]> rows) {
        return fill(rows, new LinkedHashMap<>());
    }

    /**
     * The same with more columns set on the new rows ({@code stage}, {@code parent_id} of a
     * follow-up stage): each row holds the keyfield values, then one value per extra column.
     */
    long fill(Iterator<Object[]> rows, LinkedHashMap<String, FieldType> extra) {
        List<String> columns = new ArrayList<>();
        List<FieldType> types = new ArrayList<>();
        for (Parameter p : keyfields) {
            columns.add(p.name());
            types.add(p.type());
        }
        extra.forEach((name, type) -> {
            columns.add(name);
            types.add(type);
        });
        int perStatement = db.dialect.fillRowsPerStatement(columns.size());
        if (perStatement > 1) {
            return db.withConnection(
                    "cannot fill table " + db.table,
                    c -> Jdbc.inTransaction(c, conn -> inMultiRowStatements(conn, columns, types, perStatement, rows)));
        }
        String sql = db.dialect.fillStatement(db.table, columns, types, StatusLiterals.CREATED);
        return db.withConnection(
                "cannot fill table " + db.table,
                c -> Jdbc.inTransaction(c, conn -> {
                    try (PreparedStatement ps = conn.prepareStatement(sql)) {
                        return db.dialect.fillsFromArrays()
                                ? fromArrays(conn, ps, types, rows)
                                : inBatches(ps, types, rows);
                    }
                }));
    }

    /**
     * Statements of up to {@code perStatement} rows each (a multi-row VALUES list); the last one
     * is shorter. Each statement's count is the rows it inserted.
     */
    private long inMultiRowStatements(
            Connection c, List<String> columns, List<FieldType> types, int perStatement, Iterator<Object[]> rows)
            throws SQLException {
        long inserted = 0;
        long n = 0;
        Instant now = db.now();
        List<Object[]> chunk = new ArrayList<>(perStatement);
        try (PreparedStatement full = c.prepareStatement(
                db.dialect.fillStatement(db.table, columns, types, StatusLiterals.CREATED, perStatement))) {
            while (rows.hasNext()) {
                chunk.add(checkedRow(rows.next(), ++n, types));
                if (chunk.size() == perStatement) {
                    inserted += insertChunk(full, chunk, types, now);
                    chunk.clear();
                }
            }
        }
        if (!chunk.isEmpty()) {
            try (PreparedStatement last = c.prepareStatement(
                    db.dialect.fillStatement(db.table, columns, types, StatusLiterals.CREATED, chunk.size()))) {
                inserted += insertChunk(last, chunk, types, now);
            }
        }
        return inserted;
    }

    private long insertChunk(PreparedStatement ps, List<Object[]> chunk, List<FieldType> types, Instant now)
            throws SQLException {
        int i = 1;
        for (Object[] row : chunk) {
            for (int k = 0; k < row.length; k++) {
                Values.bind(ps, i++, types.get(k), row[k]);
            }
            db.dialect.setTimestamp(ps, i++, now);
        }
        return ps.executeUpdate();
    }

    private long inBatches(PreparedStatement ps, List<FieldType> types, Iterator<Object[]> rows) throws SQLException {
        long inserted = 0;
        int pending = 0;
        long n = 0;
        Instant now = db.now();
        while (rows.hasNext()) {
            Object[] row = checkedRow(rows.next(), ++n, types);
            for (int i = 0; i < row.length; i++) {
                Values.bind(ps, i + 1, types.get(i), row[i]);
            }
            db.dialect.setTimestamp(ps, row.length + 1, now);
            ps.addBatch();
            if (++pending == FILL_BATCH) {
                inserted += sum(ps.executeBatch());
                pending = 0;
            }
        }
        if (pending > 0) {
            inserted += sum(ps.executeBatch());
        }
        return inserted;
    }

    private long fromArrays(Connection c, PreparedStatement ps, List<FieldType> types, Iterator<Object[]> rows)
            throws SQLException {
        int k = types.size();
        long inserted = 0;
        long n = 0;
        Instant now = db.now();
        List<Object[]> chunk = new ArrayList<>(FILL_BATCH);
        while (rows.hasNext() || !chunk.isEmpty()) {
            if (rows.hasNext()) {
                chunk.add(checkedRow(rows.next(), ++n, types));
                if (chunk.size() < FILL_BATCH && rows.hasNext()) {
                    continue;
                }
            }
            db.dialect.setTimestamp(ps, 1, now);
            for (int i = 0; i < k; i++) {
                Object[] column = new Object[chunk.size()];
                for (int r = 0; r < column.length; r++) {
                    column[r] = chunk.get(r)[i];
                }
                ps.setArray(i + 2, c.createArrayOf(db.dialect.arrayElementType(types.get(i)), column));
            }
            inserted += ps.executeUpdate();
            chunk.clear();
        }
        return inserted;
    }

    private Object[] checkedRow(Object[] row, long n, List<FieldType> types) {
        if (row.length != types.size()) {
            throw new StoreException("row " + n + " has " + row.length + " values; expected " + types.size());
        }
        Object[] out = new Object[row.length];
        for (int i = keyfields.size(); i < row.length; i++) {
            out[i] = types.get(i).coerce(row[i]);
        }
        for (int i = 0; i < keyfields.size(); i++) {
            Parameter p = keyfields.get(i);
            try {
                out[i] = p.type().coerce(row[i]);
            } catch (IllegalArgumentException e) {
                throw new StoreException("row " + n + ": keyfield " + p.name() + ": " + e.getMessage());
            }
            if (out[i] == null) {
                throw new StoreException("row " + n + ": keyfield '" + p.name() + "' has no value");
            }
            if (out[i] instanceof Double d && (d.isNaN() || (d.isInfinite() && !db.dialect.storesInfinity()))) {
                throw new StoreException("row " + n + ": keyfield " + p.name() + " is " + d + "; "
                        + (d.isNaN() ? "a keyfield needs a value" : db.dialect.name() + " stores no infinite numbers"));
            }
            if (out[i] instanceof String text && text.length() > keyTextLength) {
                int chars = text.codePointCount(0, text.length());
                if (chars > keyTextLength) {
                    throw new StoreException("row " + n + ": keyfield " + p.name() + " has " + chars
                            + " characters; " + db.dialect.name() + " keeps string keyfields of at most "
                            + keyTextLength + " here (" + db.table + ")");
                }
            }
        }
        return out;
    }

    private static long sum(int[] counts) {
        long n = 0;
        for (int k : counts) {
            if (k < 0) {
                throw new IllegalStateException(
                        "the driver reported no row count (" + k + ") for a fill batch; this is a bug");
            }
            n += k;
        }
        return n;
    }
}
