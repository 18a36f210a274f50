package org.experimenter.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.util.Map;
import org.experimenter.ExperimenterException;
import org.experimenter.eval.JsonLayout;

/** One JSON object on one line, {@code {"created": 0, "done": 80}}, as status and run-one print it with --json. */
final class JsonLine {
    private static final ObjectWriter WRITER = new ObjectMapper().writer(new JsonLayout());

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
