package org.experimenter;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The keyfield values of one experiment row. Getters throw naming the field when it is absent. */
public final class Parameters implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, Object> values;

    public Parameters(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public Object get(String name) {
        if (!values.containsKey(name)) {
            throw new ExperimenterException("no keyfield '" + name + "'; the keyfields are " + values.keySet());
        }
        return values.get(name);
    }

    public int getInt(String name) {
        return as(name, Number.class).intValue();
    }

    public long getLong(String name) {
        return as(name, Number.class).longValue();
    }

    public double getDouble(String name) {
        return as(name, Number.class).doubleValue();
    }

    public String getString(String name) {
        return String.valueOf(get(name));
    }

    public boolean getBoolean(String name) {
        return as(name, Boolean.class);
    }

    /** All values by keyfield name, in declaration order. */
    public Map<String, Object> asMap() {
        return values;
    }

    private <T> T as(String name, Class<T> type) {
        Object v = get(name);
        if (!type.isInstance(v)) {
            throw new ExperimenterException("keyfield '" + name + "' is "
                    + v.getClass().getSimpleName() + " " + v + ", not " + type.getSimpleName());
        }
        return type.cast(v);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
