// Explicit experiment rows from CSV (Commons CSV) and JSON (Jackson) files, each value typed
// by the config's keyfields; errors name the file, line and field.
package org.experimenter.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.experimenter.FieldType;
import org.experimenter.InvalidConfigException;
import org.experimenter.grid.Parameter;

/** Reads explicit experiment rows from a CSV or JSON file, typed by the config's keyfields. */
public final class RowFiles {
    /**
     * RFC 4180; text after a closing quote is kept ({@code "ab"cd} is abcd), and blank lines
     * come through as records so that line numbers stay right and the header stays line 1.
     */
    private static final CSVFormat CSV =
            CSVFormat.RFC4180.builder().setTrailingData(true).get();

    private static final ObjectMapper JSON = new ObjectMapper();

    private RowFiles() {}

    /** Rows as maps of keyfield name to typed value; errors name the file, line and field. */
    public static List<Map<String, ?>> read(Path file, ExperimentConfig config) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return csv(file.toString(), text, config);
        }
        if (name.endsWith(".json") || name.endsWith(".jsonl")) {
            return json(file.toString(), text, config);
        }
        throw new InvalidConfigException(file + ": expected a .csv, .json or .jsonl file");
    }

    static List<Map<String, ?>> csv(String origin, String text, ExperimentConfig config) {
        List<Map<String, ?>> rows = new ArrayList<>();
        long line = 1;
        try (CSVParser parser = CSVParser.parse(text, CSV)) {
            Iterator<CSVRecord> records = parser.iterator();
            if (!records.hasNext()) {
                throw new InvalidConfigException(origin + ": empty file; expected a header naming the keyfields");
            }
            List<String> header = records.next().toList();
            checkHeader(origin, header, config);
            while (true) {
                // the iterator reads a record ahead, so its first line is known only before hasNext()
                line = parser.getCurrentLineNumber() + 1;
                if (!records.hasNext()) {
                    break;
                }
                CSVRecord rec = records.next();
                if (rec.size() == 1 && rec.get(0).isBlank()) {
                    continue;
                }
                if (rec.size() != header.size()) {
                    throw new InvalidConfigException(
                            origin + ": " + line + ": " + rec.size() + " values; the header has " + header.size());
                }
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 0; i < header.size(); i++) {
                    Parameter p = config.keyfield(header.get(i).trim());
                    try {
                        row.put(p.name(), p.type().parse(rec.get(i)));
                    } catch (IllegalArgumentException e) {
                        throw new InvalidConfigException(
                                origin + ": " + line + ": " + p.name() + ": " + e.getMessage());
                    }
                }
                rows.add(row);
            }
        } catch (IOException | UncheckedIOException e) {
            throw csvError(origin, line, e);
        }
        return rows;
    }

    private static void checkHeader(String origin, List<String> header, ExperimentConfig config) {
        for (int i = 0; i < header.size(); i++) {
            if (config.keyfield(header.get(i).trim()) == null) {
                throw new InvalidConfigException(origin + ": 1: column " + (i + 1) + " '" + header.get(i)
                        + "' is not a keyfield; the keyfields are " + config.keyfieldNames());
            }
        }
        for (Parameter p : config.keyfields()) {
            if (!header.stream().map(String::trim).anyMatch(p.name()::equals)) {
                throw new InvalidConfigException(origin + ": 1: no column for keyfield '" + p.name() + "'");
            }
        }
    }

    /** With this format, reading from a string fails only at a quote that is never closed. */
    private static InvalidConfigException csvError(String origin, long line, Exception e) {
        Throwable cause = e instanceof UncheckedIOException ? e.getCause() : e;
        String m = String.valueOf(cause.getMessage());
        if (m.contains("EOF reached before encapsulated token finished")) {
            return new InvalidConfigException(origin + ": a quoted value is not closed", e);
        }
        return new InvalidConfigException(origin + ": " + line + ": " + m, e);
    }

    /** A JSON array of objects, or objects one after another (one a line, as JSON Lines). */
    static List<Map<String, ?>> json(String origin, String text, ExperimentConfig config) {
        List<Map<String, ?>> rows = new ArrayList<>();
        try (JsonParser p = JSON.createParser(text)) {
            JsonToken t = p.nextToken();
            boolean array = t == JsonToken.START_ARRAY;
            if (array) {
                t = p.nextToken();
            }
            while (t != null && !(array && t == JsonToken.END_ARRAY)) {
                rows.add(jsonRow(origin, p, config));
                t = p.nextToken();
            }
            // Jackson itself refuses an array that is not closed
            if (array && p.nextToken() != null) {
                throw new InvalidConfigException(origin + ": " + line(p) + ": unexpected text after the array of rows");
            }
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : e.getLocation().getLineNr() + ": ";
            throw new InvalidConfigException(origin + ": " + where + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new InvalidConfigException(origin + ": cannot read: " + e.getMessage(), e);
        }
        return rows;
    }

    /** The object the parser stands at, as one row; leaves the parser at its closing brace. */
    private static Map<String, ?> jsonRow(String origin, JsonParser p, ExperimentConfig config) throws IOException {
        String where = origin + ": " + line(p);
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new InvalidConfigException(
                    where + ": expected an object of keyfield values, found " + kind(p.currentToken()));
        }
        Map<String, Object> row = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            Parameter param = config.keyfield(key);
            if (param == null) {
                throw new InvalidConfigException(
                        where + ": '" + key + "' is not a keyfield; the keyfields are " + config.keyfieldNames());
            }
            p.nextToken();
            long valueLine = line(p);
            Object v = p.readValueAs(Object.class);
            try {
                // a STRING field takes numbers and booleans as their text, as it did from HOCON
                boolean asText = param.type() == FieldType.STRING && v != null;
                row.put(param.name(), asText ? String.valueOf(v) : param.type().coerce(v));
            } catch (IllegalArgumentException ex) {
                throw new InvalidConfigException(
                        origin + ": " + valueLine + ": " + param.name() + ": " + ex.getMessage());
            }
        }
        return row;
    }

    private static long line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }

    /** What a row that is not an object is instead, in the words HOCON used for these files. */
    private static String kind(JsonToken t) {
        switch (t) {
            case START_ARRAY:
                return "list";
            case VALUE_STRING:
                return "string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "boolean";
            case VALUE_NULL:
                return "null";
            default:
                return t.name().toLowerCase(Locale.ROOT);
        }
    }

    private static String firstLine(String s) {
        String m = String.valueOf(s);
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
