package org.experimenter.store;

import java.io.Serializable;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import org.experimenter.energy.Energy;

/**
 * The energy table {@code <table>__energy}: one row per finished attempt with its energy and
 * emissions, written in the same transaction as the attempt's row in the attempts table.
 */
final class EnergyLog implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Database db;

    EnergyLog(Database db) {
        this.db = db;
    }

    /** Inserts one row numbered as the experiment row's current attempt. */
    String insertSql() {
        StringBuilder cols = new StringBuilder("id, attempt");
        StringBuilder marks = new StringBuilder("id, attempt");
        for (String c : Energy.COLUMNS) {
            cols.append(", ").append(c);
            marks.append(", ?");
        }
        return "INSERT INTO " + db.schema.energyTable() + " (" + cols + ") SELECT " + marks + " FROM " + db.table
                + " WHERE id = ?";
    }

    /** Inserts one row with its own id and attempt (rows copied from elsewhere). */
    String insertValuesSql() {
        return "INSERT INTO " + db.schema.energyTable() + " (id, attempt, " + String.join(", ", Energy.COLUMNS)
                + ") VALUES (?, ?" + ", ?".repeat(Energy.COLUMNS.size()) + ")";
    }

    void bindValues(PreparedStatement ps, long id, int attempt, Energy e) throws SQLException {
        ps.setLong(1, id);
        ps.setInt(2, attempt);
        bindEnergy(ps, 3, e);
    }

    void bind(PreparedStatement ps, long id, Energy e) throws SQLException {
        ps.setLong(bindEnergy(ps, 1, e), id);
    }

    /** Binds the energy values from parameter first on; returns the next parameter's index. */
    private int bindEnergy(PreparedStatement ps, int first, Energy e) throws SQLException {
        int i = first;
        Object[] values = e.values();
        for (int k = 0; k < values.length; k++) {
            Object v = values[k];
            if (v == null) {
                // typed: PostgreSQL takes an untyped parameter of INSERT ... SELECT for text
                ps.setNull(i, nullType(Energy.COLUMNS.get(k)));
            } else if (v instanceof Double d) {
                ps.setDouble(i, d);
            } else if (v instanceof Integer n) {
                ps.setInt(i, n);
            } else {
                ps.setString(i, v.toString());
            }
            i++;
        }
        return i;
    }

    private static int nullType(String column) {
        return switch (column) {
            case "gpu_model", "country", "cpu_model", "method" -> Types.VARCHAR;
            case "gpu_count", "cpu_count" -> Types.INTEGER;
            default -> Types.DOUBLE;
        };
    }
}
