package org.experimenter.pyexperimenter;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.experimenter.FieldType;

/**
 * PyExperimenter's column types (whatever SQL the user wrote, pasted into CREATE TABLE) mapped
 * to this tool's field types, with what is lossy or odd about each on the provider it ran on.
 */
final class SqlTypes {
    private static final Pattern TYPE = Pattern.compile("([a-z ]+?)\\s*(?:\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\))?");

    private SqlTypes() {}

    /** A mapped type and, when the mapping deserves a word, that word (else null). */
    record Mapped(FieldType type, String note) {}

    static final String KNOWN = "INT, INTEGER, BIGINT, VARCHAR(n), TEXT, LONGTEXT, str, FLOAT, DOUBLE, REAL, DECIMAL,"
            + " NUMERIC, BOOL, BOOLEAN, DATETIME";

    /**
     * The field type for a PyExperimenter type, or null when it is none this tool knows.
     *
     * @param mysql whether the table lived in MySQL (else SQLite)
     */
    static Mapped map(String sqlType, boolean mysql) {
        Matcher m = TYPE.matcher(sqlType.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        String base = m.group(1).trim().replaceAll("\\s+", " ");
        boolean sized = m.group(2) != null;
        switch (base) {
            case "int":
            case "integer":
            case "smallint":
            case "tinyint":
            case "mediumint":
                return new Mapped(FieldType.INT, null);
            case "bigint":
                return new Mapped(FieldType.LONG, null);
            case "varchar":
            case "char":
            case "text":
            case "longtext":
            case "mediumtext":
            case "tinytext":
                return new Mapped(FieldType.STRING, null);
            case "str":
                return new Mapped(
                        FieldType.STRING,
                        mysql
                                ? "str is no MySQL type (PyExperimenter's CREATE TABLE fails there); read as string"
                                : "str has numeric affinity in SQLite: text that looks like a number (e.g. 007)"
                                        + " was stored as a number (7); read as string");
            case "double":
            case "double precision":
            case "real":
                return new Mapped(FieldType.DOUBLE, null);
            case "float":
                return new Mapped(
                        FieldType.DOUBLE,
                        mysql
                                ? "FLOAT is single precision in MySQL: stored values kept about 7 digits; a double"
                                        + " here"
                                : null);
            case "decimal":
            case "numeric":
                if (!mysql) {
                    return new Mapped(
                            FieldType.DOUBLE,
                            base.toUpperCase(Locale.ROOT) + " has numeric affinity in SQLite (integers stay"
                                    + " integers, other numbers are stored as REAL); a double here");
                }
                if (!sized || m.group(3) == null || m.group(3).equals("0")) {
                    return new Mapped(
                            FieldType.DOUBLE,
                            base.toUpperCase(Locale.ROOT) + (sized ? "(" + m.group(2) + ")" : "")
                                    + " has scale 0 in MySQL (DECIMAL means DECIMAL(10,0)): every value was rounded"
                                    + " to an integer when stored; a double here keeps fractions");
                }
                return new Mapped(
                        FieldType.DOUBLE,
                        base.toUpperCase(Locale.ROOT) + "(" + m.group(2) + "," + m.group(3) + ") is exact in MySQL;"
                                + " a double here keeps 15 to 17 significant digits");
            case "bool":
            case "boolean":
                return new Mapped(FieldType.BOOLEAN, null);
            case "datetime":
            case "timestamp":
            case "date":
                return new Mapped(
                        FieldType.STRING,
                        base.toUpperCase(Locale.ROOT) + ": fields here have no date type; kept as text"
                                + " (yyyy-MM-dd HH:mm:ss)");
            default:
                return null;
        }
    }
}
