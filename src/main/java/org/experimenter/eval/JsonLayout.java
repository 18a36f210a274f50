package org.experimenter.eval;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.Instantiatable;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import java.io.IOException;

/**
 * The JSON layout the tool prints: a space after {@code :} and {@code ,} in an object and
 * nowhere else, objects on one line, each element of an array on a line of its own (a table
 * reads and diffs row by row). Written against Jackson's oldest stable API, so the same on the
 * Jackson of Spark 3.5 and of Spark 4.
 */
public final class JsonLayout extends MinimalPrettyPrinter implements Instantiatable<JsonLayout> {
    private static final long serialVersionUID = 1L;
    private int arrays;

    @Override
    public JsonLayout createInstance() {
        return new JsonLayout();
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw(": ");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
        g.writeRaw(", ");
    }

    @Override
    public void writeStartArray(JsonGenerator g) throws IOException {
        arrays++;
        g.writeRaw('[');
    }

    @Override
    public void beforeArrayValues(JsonGenerator g) throws IOException {
        newLine(g, arrays);
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw(',');
        newLine(g, arrays);
    }

    @Override
    public void writeEndArray(JsonGenerator g, int values) throws IOException {
        arrays--;
        if (values > 0) {
            newLine(g, arrays);
        }
        g.writeRaw(']');
    }

    private static void newLine(JsonGenerator g, int depth) throws IOException {
        g.writeRaw('\n');
        for (int i = 0; i < depth; i++) {
            g.writeRaw("  ");
        }
    }
}
