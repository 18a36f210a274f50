package org.experimenter.pyexperimenter;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Locale;
import org.experimenter.FieldType;

/** The values of PyExperimenter's columns as values of this tool's field types, and its dates. */
final class SourceValues {
    /** Its dates: {@code datetime.now().strftime("%Y-%m-%d %H:%M:%S")}; MySQL may add a fraction. */
    private static final DateTimeFormatter DATE = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd")
            .optionalStart()
            .appendLiteral(' ')
            .optionalEnd()
            .optionalStart()
            .appendLiteral('T')
            .optionalEnd()
            .appendPattern("HH:mm:ss")
            .optionalStart()
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .optionalEnd()
            .toFormatter(Locale.ROOT);

    private SourceValues() {}

    /**
     * A date column's text (PyExperimenter's local time, or a MySQL DATETIME) read in the zone.
     *
     * @throws DateTimeException when it is no date
     */
    static Instant date(String text, ZoneId zone) {
        LocalDateTime local = LocalDateTime.parse(text.trim(), DATE);
        // a time in the hour a DST change repeats is taken at its earlier offset
        return local.atZone(zone).toInstant();
    }

    /** A value of the source as a value of the type, or null when it is none. */
    static Object convert(Object raw, FieldType type) {
        if (raw == null) {
            return null;
        }
        try {
            switch (type) {
                case STRING:
                    if (raw instanceof byte[]) {
                        return null;
                    }
                    if (raw instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
                        return BigDecimal.valueOf(d).toPlainString();
                    }
                    return String.valueOf(raw);
                case BOOLEAN:
                    if (raw instanceof Boolean) {
                        return raw;
                    }
                    if (raw instanceof Number n) {
                        double d = n.doubleValue();
                        return d == 1 ? Boolean.TRUE : d == 0 ? Boolean.FALSE : null;
                    }
                    String text = String.valueOf(raw).trim().toLowerCase(Locale.ROOT);
                    return switch (text) {
                        case "1", "true" -> Boolean.TRUE;
                        case "0", "false" -> Boolean.FALSE;
                        default -> null;
                    };
                case DOUBLE:
                    if (raw instanceof Number n) {
                        return n.doubleValue();
                    }
                    return raw instanceof String t ? Double.parseDouble(t.trim()) : null;
                default:
                    BigDecimal d = raw instanceof Number || raw instanceof String
                            ? new BigDecimal(String.valueOf(raw).trim())
                            : null;
                    if (d == null) {
                        return null;
                    }
                    if (type == FieldType.INT) {
                        return Integer.valueOf(d.intValueExact()); // not in a ?: with a long, which widens it
                    }
                    return Long.valueOf(d.longValueExact());
            }
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    /** A value as messages quote it, cut to 60 characters. */
    static String show(Object raw) {
        String s = String.valueOf(raw);
        return "'" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "'";
    }
}
