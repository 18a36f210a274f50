package org.experimenter.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import org.experimenter.FieldType;

/** Values of declared types to and from JDBC. */
final class Values {
    private Values() {}

    /**
     * Binds a value of a declared type. A NaN double is bound as no value on every database:
     * SQLite stores NaN as NULL anyway, and a result must read back the same everywhere.
     */
    static void bind(PreparedStatement ps, int index, FieldType type, Object value) throws SQLException {
        if (value == null || (value instanceof Double d && d.isNaN())) {
            ps.setNull(index, sqlTypeCode(type));
            return;
        }
        switch (type) {
            case INT:
                ps.setInt(index, (Integer) value);
                break;
            case LONG:
                ps.setLong(index, (Long) value);
                break;
            case DOUBLE:
                ps.setDouble(index, (Double) value);
                break;
            case STRING:
                ps.setString(index, text((String) value));
                break;
            case BOOLEAN:
                ps.setBoolean(index, (Boolean) value);
                break;
            default:
                throw new IllegalStateException("unknown type " + type + "; this is a bug");
        }
    }

    private static int sqlTypeCode(FieldType type) {
        switch (type) {
            case INT:
                return Types.INTEGER;
            case LONG:
                return Types.BIGINT;
            case DOUBLE:
                return Types.DOUBLE;
            case BOOLEAN:
                return Types.BOOLEAN;
            default:
                return Types.VARCHAR;
        }
    }

    /**
     * Text as stored on every database: U+0000, which PostgreSQL refuses in text, becomes the six
     * characters backslash, u, 0, 0, 0, 0; everything else is kept as it is.
     */
    static String text(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace("\0", "\\u0000");
    }

    static Object read(ResultSet rs, String column, FieldType type) throws SQLException {
        Object v = rs.getObject(column);
        return v == null ? null : type.coerce(v);
    }
}
