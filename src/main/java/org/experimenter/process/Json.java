package org.experimenter.process;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Map;

/**
 * The JSON of the files a command reads and writes. NaN and Infinity are accepted because
 * Python's json module writes them for float('nan') and float('inf').
 */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private Json() {}

    /** A JSON object as a map; throws saying where the text stops being one. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(String text) throws NotAnObject {
        Object v;
        try {
            v = MAPPER.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage();
            var at = e.getLocation();
            throw new NotAnObject("malformed JSON"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ": " + m);
        }
        if (!(v instanceof Map)) {
            throw new NotAnObject("expected a JSON object, found "
                    + (v == null ? "null" : v instanceof java.util.List ? "an array" : "a " + kind(v)) + ": "
                    + abbreviate(text));
        }
        return (Map<String, Object>) v;
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage() + "; this is a bug", e);
        }
    }

    private static String kind(Object v) {
        return v instanceof String
                ? "string"
                : v instanceof Number ? "number" : v instanceof Boolean ? "boolean" : "value";
    }

    static String abbreviate(String s) {
        String one = s.strip();
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }

    /** Text that is no JSON object, and why. */
    static final class NotAnObject extends Exception {
        private static final long serialVersionUID = 1L;

        NotAnObject(String message) {
            super(message);
        }
    }
}
