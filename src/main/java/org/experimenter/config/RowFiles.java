package org.experimenter.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.experimenter.InvalidConfigException;
import org.experimenter.grid.Parameter;

/** Reads explicit experiment rows from a CSV or JSON file, typed by the config's keyfields. */
public final class RowFiles {
  private RowFiles() {}

  /** Rows as maps of keyfield name to typed value; errors name the file, line and field. */
  public static List<Map<String, ?>> read(Path file, ExperimentConfig config) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    if (name.endsWith(".csv")) {
      return csv(file.toString(), text, config);
    }
    if (name.endsWith(".json") || name.endsWith(".jsonl")) {
      return json(file.toString(), text, config);
    }
    throw new InvalidConfigException(file + ": expected a .csv, .json or .jsonl file");
  }

  static List<Map<String, ?>> csv(String origin, String text, ExperimentConfig config) {
    List<List<String>> records = parseCsv(origin, text);
    if (records.isEmpty()) {
      throw new InvalidConfigException(origin + ": empty file; expected a header naming the keyfields");
    }
    List<String> header = records.get(0);
    for (int i = 0; i < header.size(); i++) {
      if (config.keyfield(header.get(i).trim()) == null) {
        throw new InvalidConfigException(origin + ": 1: column " + (i + 1) + " '" + header.get(i) + "' is not a keyfield; the keyfields are " + config.keyfieldNames());
      }
    }
    for (Parameter p : config.keyfields()) {
      if (!header.stream().map(String::trim).anyMatch(p.name()::equals)) {
        throw new InvalidConfigException(origin + ": 1: no column for keyfield '" + p.name() + "'");
      }
    }
    List<Map<String, ?>> rows = new ArrayList<>();
    for (int r = 1; r < records.size(); r++) {
      List<String> rec = records.get(r);
      if (rec.size() == 1 && rec.get(0).isBlank()) {
        continue;
      }
      if (rec.size() != header.size()) {
        throw new InvalidConfigException(origin + ": " + (r + 1) + ": " + rec.size() + " values; the header has " + header.size());
      }
      Map<String, Object> row = new LinkedHashMap<>();
      for (int i = 0; i < header.size(); i++) {
        Parameter p = config.keyfield(header.get(i).trim());
        try {
          row.put(p.name(), p.type().parse(rec.get(i)));
        } catch (IllegalArgumentException e) {
          throw new InvalidConfigException(origin + ": " + (r + 1) + ": " + p.name() + ": " + e.getMessage());
        }
      }
      rows.add(row);
    }
    return rows;
  }

  /** RFC 4180 records; line numbers in errors count records, which equal lines unless a quoted value spans lines. */
  private static List<List<String>> parseCsv(String origin, String text) {
    List<List<String>> out = new ArrayList<>();
    List<String> rec = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (quoted) {
        if (ch == '"') {
          if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
            cell.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          cell.append(ch);
        }
      } else if (ch == '"' && cell.length() == 0) {
        quoted = true;
      } else if (ch == ',') {
        rec.add(cell.toString());
        cell.setLength(0);
      } else if (ch == '\n' || ch == '\r') {
        if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        rec.add(cell.toString());
        cell.setLength(0);
        out.add(rec);
        rec = new ArrayList<>();
      } else {
        cell.append(ch);
      }
    }
    if (quoted) {
      throw new InvalidConfigException(origin + ": a quoted value is not closed");
    }
    if (cell.length() > 0 || !rec.isEmpty()) {
      rec.add(cell.toString());
      out.add(rec);
    }
    return out;
  }

  static List<Map<String, ?>> json(String origin, String text, ExperimentConfig config) {
    List<ConfigValue> items = new ArrayList<>();
    ConfigParseOptions opts = ConfigParseOptions.defaults().setOriginDescription(origin);
    try {
      if (text.trim().startsWith("[")) {
        // the prefix keeps line numbers: it adds no line
        Config c = ConfigFactory.parseString("rows = " + text, opts);
        items.addAll(c.getList("rows"));
      } else {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
          if (!lines[i].isBlank()) {
            Config c = ConfigFactory.parseString("\n".repeat(i) + "row = " + lines[i], opts);
            items.add(c.getValue("row"));
          }
        }
      }
    } catch (ConfigException e) {
      throw new InvalidConfigException(e.getMessage(), e);
    }
    List<Map<String, ?>> rows = new ArrayList<>();
    for (ConfigValue item : items) {
      String where = item.origin().description();
      if (item.valueType() != ConfigValueType.OBJECT) {
        throw new InvalidConfigException(where + ": expected an object of keyfield values, found " + item.valueType().name().toLowerCase(java.util.Locale.ROOT));
      }
      Map<String, Object> row = new LinkedHashMap<>();
      for (Map.Entry<String, ConfigValue> e : ((com.typesafe.config.ConfigObject) item).entrySet()) {
        Parameter p = config.keyfield(e.getKey());
        if (p == null) {
          throw new InvalidConfigException(where + ": '" + e.getKey() + "' is not a keyfield; the keyfields are " + config.keyfieldNames());
        }
        Object v = e.getValue().unwrapped();
        try {
          row.put(p.name(), p.type() == org.experimenter.FieldType.STRING && v != null ? String.valueOf(v) : p.type().coerce(v));
        } catch (IllegalArgumentException ex) {
          throw new InvalidConfigException(e.getValue().origin().description() + ": " + p.name() + ": " + ex.getMessage());
        }
      }
      rows.add(row);
    }
    return rows;
  }
}
