package org.experimenter.store;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Logger;
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
    db.withConnection(
        "cannot create table " + db.table,
        c -> {
          boolean existed = exists(c);
          if (existed) {
            verifyColumns(c);
          }
          Jdbc.inTransaction(
              c,
              conn -> {
                try (Statement s = conn.createStatement()) {
                  for (String ddl : db.schema.createStatements()) {
                    s.execute(ddl);
                  }
                }
                return null;
              });
          if (!existed) {
            LOG.info(() -> "created table " + db.table + " in " + db.dialect.name());
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

  private List<String> columnsOf(Connection c) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    List<String> cols = new ArrayList<>();
    try (ResultSet rs = md.getColumns(null, null, db.table, null)) {
      while (rs.next()) {
        cols.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
      }
    }
    return cols;
  }

  /** The column names of the table in order, as this config expects them. */
  List<String> expectedColumns() {
    return new ArrayList<>(db.schema.columns().keySet());
  }

  /** Throws naming the differences when the existing table does not match this config. */
  void verifyColumns(Connection c) throws SQLException {
    Set<String> actual = new LinkedHashSet<>(columnsOf(c));
    Set<String> expected = new LinkedHashSet<>(expectedColumns());
    if (actual.equals(expected)) {
      return;
    }
    Set<String> missing = new LinkedHashSet<>(expected);
    missing.removeAll(actual);
    Set<String> extra = new LinkedHashSet<>(actual);
    extra.removeAll(expected);
    throw new StoreException(
        "table " + db.table + " exists but its columns differ from " + db.config.origin()
            + ": missing " + (missing.isEmpty() ? "none" : String.join(", ", missing))
            + "; not in the config " + (extra.isEmpty() ? "none" : String.join(", ", extra))
            + ". Use another table name, or drop the table if its rows are not needed.");
  }

  /** Drops the tables; returns false when there was none. */
  boolean drop() {
    return db.withConnection(
        "cannot drop table " + db.table,
        c -> {
          if (!exists(c)) {
            return false;
          }
          Jdbc.inTransaction(
              c,
              conn -> {
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
