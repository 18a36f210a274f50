package org.experimenter;

import java.util.Locale;

/** The value types a keyfield or result field can have. */
public enum FieldType {
    INT,
    LONG,
    DOUBLE,
    STRING,
    BOOLEAN;

    /** The name used in config files: {@code int}, {@code long}, ... */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a config name, or returns null when there is no such type. */
    public static FieldType fromConfigName(String name) {
        for (FieldType t : values()) {
            if (t.configName().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Parses text (from a CSV file or a --set option) as this type; throws saying why it does not fit.
     * A double must be finite: these are keyfield values, never NaN (stored as no value) or infinite.
     */
    public Object parse(String text) {
        String t = text.trim();
        try {
            switch (this) {
                case INT:
                    return Integer.parseInt(t);
                case LONG:
                    return Long.parseLong(t);
                case DOUBLE:
                    double d = Double.parseDouble(t);
                    if (!Double.isFinite(d)) {
                        // NaN is stored as no value, which a keyfield cannot be; infinities not on every database
                        throw new IllegalArgumentException("expected a finite double, found '" + text + "'");
                    }
                    return d;
                case BOOLEAN:
                    if (t.equalsIgnoreCase("true") || t.equals("1")) {
                        return true;
                    }
                    if (t.equalsIgnoreCase("false") || t.equals("0")) {
                        return false;
                    }
                    break;
                case STRING:
                    return text;
                default:
                    break;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("expected " + configName() + ", found '" + text + "'");
    }

    /**
     * Converts a value to this type's Java representation (Integer, Long, Double, String,
     * Boolean), or throws IllegalArgumentException saying why it does not fit. Integral numbers
     * widen; a double never silently becomes an integer.
     */
    public Object coerce(Object value) {
        if (value == null) {
            return null;
        }
        switch (this) {
            case INT:
                if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
                    return ((Number) value).intValue();
                }
                if (value instanceof Long && (Long) value == ((Long) value).intValue()) {
                    return ((Long) value).intValue();
                }
                if (value instanceof java.math.BigDecimal) {
                    try {
                        return ((java.math.BigDecimal) value).intValueExact();
                    } catch (ArithmeticException e) {
                        // fall through to the error below
                    }
                }
                break;
            case LONG:
                if (value instanceof Long
                        || value instanceof Integer
                        || value instanceof Short
                        || value instanceof Byte) {
                    return ((Number) value).longValue();
                }
                if (value instanceof java.math.BigDecimal) {
                    try {
                        return ((java.math.BigDecimal) value).longValueExact();
                    } catch (ArithmeticException e) {
                        // fall through to the error below
                    }
                }
                break;
            case DOUBLE:
                if (value instanceof Number) {
                    return ((Number) value).doubleValue();
                }
                break;
            case STRING:
                if (value instanceof String) {
                    return value;
                }
                break;
            case BOOLEAN:
                if (value instanceof Boolean) {
                    return value;
                }
                if (value instanceof Number) {
                    long l = ((Number) value).longValue();
                    if (l == 0 || l == 1) {
                        return l == 1;
                    }
                }
                break;
            default:
                throw new IllegalStateException("unknown type " + this + "; this is a bug");
        }
        throw new IllegalArgumentException(
                "expected " + configName() + ", found " + value.getClass().getSimpleName() + " " + value);
    }
}
