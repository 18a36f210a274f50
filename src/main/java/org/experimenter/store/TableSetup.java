package org.experimenter.store;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;
import org.experimenter.FieldType;
import org.experimenter.StoreException;

/**
 * Creates, checks and drops the tables of one config. The statements themselves come from
 * {@link Schema}, the one place of DDL.
 */
final class TableSetup implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(TableSetup.class.getName());

    private final Database db;

    TableSetup(Database db) {
        this.db = db;
    }

    /** Creates the tables and indexes when missing; checks an existing table's columns. */
    void createIfMissing() {
        db.withConnection("cannot create table " + db.table, c -> {
            boolean existed = exists(c);
            if (existed) {
                addMissingLaterColumns(c);
                verifyColumns(c);
                addMissingLaterIndexes(c);
            }
            Jdbc.inTransaction(c, conn -> {
                try (Statement s = conn.createStatement()) {
                    for (String ddl : db.schema.createStatements()) {
                        s.execute(ddl);
                    }
                }
                return null;
            });
            if (!existed) {
                // detail: the commands say what they did to the table in their own lines (--verbose shows it)
                LOG.fine(() -> "created table " + db.table + " in " + db.dialect.name());
            }
            return null;
        });
    }

    boolean exists() {
        return db.withConnection("cannot look up table " + db.table, this::exists);
    }

    private boolean exists(Connection c) throws SQLException {
        return !columnsOf(c).isEmpty();
    }

    List<String> columnNames(String table) {
        return db.withConnection(
                "cannot look up table " + table,
                c -> new ArrayList<>(columnsOf(c, table).keySet()));
    }

    private Map<String, String> columnsOf(Connection c) throws SQLException {
        return columnsOf(c, db.table);
    }

    /** Column name to the type name the database reports, in table order. */
    private Map<String, String> columnsOf(Connection c, String table) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        Map<String, String> cols = new LinkedHashMap<>();
        try (ResultSet rs = md.getColumns(null, null, table, null)) {
            while (rs.next()) {
                cols.put(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT), rs.getString("TYPE_NAME"));
            }
        }
        return cols;
    }

    /** Adds the columns of {@link Schema#addedLater()} that tables made by earlier versions lack. */
    private void addMissingLaterColumns(Connection c) throws SQLException {
        addMissing(c, db.table, db.schema.addedLater());
        addMissing(c, db.schema.attemptsTable(), db.schema.addedLaterToAttempts());
        for (Map.Entry<String, Map<String, String>> log :
                db.schema.addedLaterToLogTables().entrySet()) {
            addMissing(c, log.getKey(), log.getValue());
        }
    }

    private void addMissing(Connection c, String table, Map<String, String> later) throws SQLException {
        Map<String, String> columns = columnsOf(c, table);
        if (columns.isEmpty()) {
            return; // a log table declared since: created below
        }
        for (Map.Entry<String, String> col : later.entrySet()) {
            if (!columns.containsKey(col.getKey())) {
                try (Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE " + table + " ADD COLUMN " + col.getKey() + " " + col.getValue());
                } catch (SQLException e) {
                    if (!columnsOf(c, table).containsKey(col.getKey())) {
                        throw e;
                    }
                    continue; // another process added it meanwhile
                }
                LOG.info(() -> "added column " + col.getKey() + " to table " + table + " (made by an earlier version)");
            }
        }
    }

    /** Adds the indexes of {@link Schema#indexesAddedLater()} that tables made by earlier versions lack. */
    private void addMissingLaterIndexes(Connection c) throws SQLException {
        Map<String, String> later = db.schema.indexesAddedLater();
        if (later.isEmpty()) {
            return;
        }
        Set<String> present = indexNames(c);
        for (Map.Entry<String, String> index : later.entrySet()) {
            if (present.contains(index.getKey().toLowerCase(Locale.ROOT))) {
                continue;
            }
            try (Statement s = c.createStatement()) {
                s.execute(index.getValue());
            } catch (SQLException e) {
                if (!indexNames(c).contains(index.getKey().toLowerCase(Locale.ROOT))) {
                    throw e;
                }
                continue; // another process added it meanwhile
            }
            LOG.info(() -> "added index " + index.getKey() + " to table " + db.table + " (made by an earlier version)");
        }
    }

    /** The names of the experiment table's indexes, lower case. */
    private Set<String> indexNames(Connection c) throws SQLException {
        Set<String> names = new TreeSet<>();
        try (ResultSet rs = c.getMetaData().getIndexInfo(null, null, db.table, false, false)) {
            while (rs.next()) {
                String name = rs.getString("INDEX_NAME");
                if (name != null) {
                    names.add(name.toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    /** The column names of the table in order, as this config expects them. */
    List<String> expectedColumns() {
        return new ArrayList<>(db.schema.columns().keySet());
    }

    /**
     * Throws naming the differences when the existing table does not match this config: other
     * columns, a keyfield or result field of another type (PostgreSQL would round 1.5 into an
     * integer keyfield and drop the row as a duplicate), or other keyfields in the UNIQUE set.
     */
    void verifyColumns(Connection c) throws SQLException {
        Map<String, String> columns = columnsOf(c);
        Set<String> actual = new LinkedHashSet<>(columns.keySet());
        Set<String> expected = new LinkedHashSet<>(expectedColumns());
        if (!actual.equals(expected)) {
            Set<String> missing = new LinkedHashSet<>(expected);
            missing.removeAll(actual);
            Set<String> extra = new LinkedHashSet<>(actual);
            extra.removeAll(expected);
            throw new StoreException("table " + db.table + " exists but its columns differ from " + db.config.origin()
                    + ": missing " + (missing.isEmpty() ? "none" : String.join(", ", missing))
                    + "; not in the config " + (extra.isEmpty() ? "none" : String.join(", ", extra))
                    + ". " + ADVICE);
        }
        Map<String, FieldType> declared = new LinkedHashMap<>();
        db.config.keyfields().forEach(p -> declared.put(p.name(), p.type()));
        declared.putAll(db.config.resultfields());
        for (Map.Entry<String, FieldType> d : declared.entrySet()) {
            String typeName = columns.get(d.getKey());
            FieldType found = db.dialect.fieldTypeOf(typeName);
            if (found != d.getValue()) {
                String role = db.config.keyfield(d.getKey()) != null ? "keyfield" : "result field";
                throw new StoreException(
                        "table " + db.table + " exists but its column " + d.getKey() + " has type " + typeName
                                + (found == null ? "" : " (" + found.name().toLowerCase(Locale.ROOT) + ")") + " while "
                                + db.config.origin()
                                + " declares " + role + " " + d.getKey() + " as "
                                + d.getValue().name().toLowerCase(Locale.ROOT) + ". "
                                + ADVICE);
            }
        }
        Set<String> keys = new TreeSet<>(db.config.keyfieldNames());
        if (!uniqueSets(c).contains(keys)) {
            throw new StoreException("table " + db.table + " exists but its keyfields (its UNIQUE columns) are not "
                    + String.join(", ", keys) + " as " + db.config.origin() + " declares; found UNIQUE " + uniqueSets(c)
                    + ". " + ADVICE);
        }
    }

    private static final String ADVICE = "Use another table name, or drop the table if its rows are not needed.";

    /** The column sets of the table's unique indexes and constraints (the primary key among them). */
    private Set<Set<String>> uniqueSets(Connection c) throws SQLException {
        Map<String, Set<String>> byIndex = new LinkedHashMap<>();
        try (ResultSet rs = c.getMetaData().getIndexInfo(null, null, db.table, true, false)) {
            while (rs.next()) {
                String column = rs.getString("COLUMN_NAME");
                if (column != null) {
                    byIndex.computeIfAbsent(String.valueOf(rs.getString("INDEX_NAME")), k -> new TreeSet<>())
                            .add(column.toLowerCase(Locale.ROOT));
                }
            }
        }
        return new LinkedHashSet<>(byIndex.values());
    }

    /** Drops the tables; returns false when there was none. */
    boolean drop() {
        return db.withConnection("cannot drop table " + db.table, c -> {
            if (!exists(c)) {
                return false;
            }
            Jdbc.inTransaction(c, conn -> {
                try (Statement s = conn.createStatement()) {
                    for (String t : db.schema.allTablesDependentsFirst()) {
                        s.execute("DROP TABLE IF EXISTS " + t);
                    }
                }
                return null;
            });
            return true;
        });
    }
}
