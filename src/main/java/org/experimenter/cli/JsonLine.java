package org.experimenter.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.util.Map;
import org.experimenter.ExperimenterException;

/** One JSON object on one line, {@code {"created": 0, "done": 80}}, as status and run-one print it with --json. */
final class JsonLine {
    // a space after ':' and ',' and nowhere else: the form the README shows and scripts may match
    private static final ObjectWriter WRITER = new ObjectMapper()
            .writer(new DefaultPrettyPrinter(Separators.createDefaultInstance()
                            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                            .withObjectEntrySpacing(Separators.Spacing.AFTER)
                            .withObjectEmptySeparator(""))
                    .withObjectIndenter(new DefaultPrettyPrinter.NopIndenter()));

    private JsonLine() {}

    /** The values in the map's order; numbers and booleans as JSON numbers and booleans. */
    static String of(Map<String, ?> values) {
        try {
            return WRITER.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new ExperimenterException("cannot write " + values.keySet() + " as JSON; this is a bug", e);
        }
    }
}
