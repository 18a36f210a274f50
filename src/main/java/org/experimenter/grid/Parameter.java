package org.experimenter.grid;

import java.io.Serializable;
import java.util.List;
import org.experimenter.FieldType;

/** One keyfield of the grid: a name, a type and the values it takes, in order. */
public final class Parameter implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final FieldType type;
    private final List<Object> values;

    public Parameter(String name, FieldType type, List<Object> values) {
        this.name = name;
        this.type = type;
        this.values = List.copyOf(values);
    }

    public String name() {
        return name;
    }

    public FieldType type() {
        return type;
    }

    public List<Object> values() {
        return values;
    }
}
