package org.experimenter.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.experimenter.FieldType;
import org.experimenter.InvalidConfigException;
import org.experimenter.grid.Grid;
import org.experimenter.grid.Parameter;

/**
 * The settings of one experiment table, read eagerly from HOCON and validated once: every
 * problem surfaces when the config is loaded, with the file, line and key in the message.
 * Defaults come from {@code reference.conf} (path {@code experimenter}) in the jar.
 */
public final class ExperimentConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Column names the table uses itself; no keyfield or result field may take one. */
  public static final Set<String> BUILT_IN_COLUMNS =
      Set.of(
          "id",
          "status",
          "creation_date",
          "start_date",
          "end_date",
          "machine",
          "error",
          "attempt",
          "claim_token",
          "heartbeat",
          "run_id",
          "executor",
          "error_kind",
          "spark_app",
          "wall_time",
          "cpu_time",
          "allocated_bytes",
          "experiment_class");

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  /** Words that PostgreSQL, SQLite or Spark SQL reserve; refused as names to keep SQL plain. */
  private static final Set<String> RESERVED =
      Set.of(
          "all", "alter", "and", "any", "as", "asc", "between", "by", "case", "cast", "check",
          "column", "constraint", "create", "cross", "current_date", "current_time",
          "current_timestamp", "current_user", "default", "delete", "desc", "distinct", "drop",
          "else", "end", "except", "exists", "false", "fetch", "for", "foreign", "from", "full",
          "grant", "group", "having", "in", "index", "inner", "insert", "intersect", "into",
          "is", "join", "key", "left", "like", "limit", "natural", "not", "null", "offset", "on",
          "or", "order", "outer", "primary", "references", "returning", "right", "select",
          "session_user", "set", "some", "table", "then", "to", "true", "union", "unique",
          "update", "user", "using", "values", "when", "where", "window", "with");

  private final String origin;
  private final String url;
  private final String user;
  private final String password;
  private final String table;
  private final List<Parameter> keyfields;
  private final LinkedHashMap<String, FieldType> resultfields;
  private final String customJson;
  private final String experimentClass;
  private final String sparkMaster;
  private final String sparkAppName;
  private final LinkedHashMap<String, String> sparkConf;
  private final long maxExperiments;
  private final int partitions;
  private final Duration heartbeatInterval;
  private final int missedBeats;
  private final Duration recoveryInterval;
  private final int maxAttempts;
  private final boolean retryErrors;
  private final Duration timeout;
  private final Duration shutdownGrace;
  private final boolean resultTimestamps;
  private final LinkedHashMap<String, LinkedHashMap<String, FieldType>> logtables;
  private final String resolvedJson;
  private final transient Map<String, Long> order;
  private transient Config custom;

  private ExperimentConfig(Config c, String origin, Map<String, Long> order) {
    this.order = order;
    this.origin = origin;
    this.resolvedJson = c.root().render(ConfigRenderOptions.concise());
    this.url = string(c, "database.url");
    if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:sqlite:")) {
      throw at(c, "database.url", "expected a jdbc:postgresql: or jdbc:sqlite: URL");
    }
    this.user = c.getString("database.user");
    this.password = c.getString("database.password");
    if (!c.hasPath("database.table")) {
      throw new InvalidConfigException(
          origin + ": database.table: missing; name the experiment table, e.g. table = my_runs");
    }
    this.table = identifier(c, "database.table", c.getString("database.table"));

    Map<String, String> seen = new LinkedHashMap<>();
    this.keyfields = readKeyfields(c, seen);
    this.resultfields = readResultfields(c, seen);

    this.resultTimestamps = c.getBoolean("result-timestamps");
    if (resultTimestamps) {
      for (String r : resultfields.keySet()) {
        String ts = r + "_timestamp";
        if (seen.containsKey(ts) || BUILT_IN_COLUMNS.contains(ts)) {
          throw at(c, "result-timestamps", "the column " + ts + " for result field " + r + " clashes with a field of the same name");
        }
      }
    }
    this.logtables = readLogtables(c);
    this.customJson = c.getValue("custom").render(ConfigRenderOptions.concise());
    this.experimentClass = c.getString("experiment-class").trim();
    this.sparkMaster = string(c, "spark.master");
    this.sparkAppName = string(c, "spark.app-name");
    this.sparkConf = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : c.getConfig("spark.conf").entrySet()) {
      // entrySet keys are HOCON paths: "spark.ui.enabled" (quoted) comes back with its quotes
      sparkConf.put(String.join(".", ConfigUtil.splitPath(e.getKey())), String.valueOf(e.getValue().unwrapped()));
    }
    this.maxExperiments = atLeast(c, "execution.max-experiments", c.getLong("execution.max-experiments"), 0);
    this.partitions = (int) atLeast(c, "execution.partitions", c.getInt("execution.partitions"), 0);
    this.heartbeatInterval = positive(c, "lease.heartbeat-interval");
    this.missedBeats = (int) atLeast(c, "lease.missed-beats", c.getInt("lease.missed-beats"), 4);
    this.recoveryInterval = positive(c, "lease.recovery-interval");
    this.maxAttempts = (int) atLeast(c, "max-attempts", c.getInt("max-attempts"), 1);
    this.retryErrors = c.getBoolean("retry-errors");
    this.timeout = c.getDuration("timeout");
    if (timeout.isNegative()) {
      throw at(c, "timeout", "must not be negative");
    }
    this.shutdownGrace = c.getDuration("shutdown-grace");
  }

  /** Loads and validates a config file; throws {@link InvalidConfigException} naming the problem. */
  public static ExperimentConfig load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidConfigException(file + ": no such config file");
    }
    Config parsed;
    String text;
    try {
      text = Files.readString(file);
      parsed =
          ConfigFactory.parseFile(
              file.toFile(), ConfigParseOptions.defaults().setOriginDescription(file.toString()));
    } catch (ConfigException e) {
      throw new InvalidConfigException(e.getMessage(), e);
    } catch (java.io.IOException e) {
      throw new InvalidConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
    return from(parsed, file.toString(), orderInText(parsed, text));
  }

  /** Loads and validates a config from HOCON text (for tests and notebooks). */
  public static ExperimentConfig parse(String hocon, String originName) {
    Config parsed;
    try {
      parsed =
          ConfigFactory.parseString(
              hocon, ConfigParseOptions.defaults().setOriginDescription(originName));
    } catch (ConfigException e) {
      throw new InvalidConfigException(e.getMessage(), e);
    }
    return from(parsed, originName, orderInText(parsed, hocon));
  }

  /** Validates an already parsed (unresolved) config against the reference defaults. */
  public static ExperimentConfig from(Config userConfig, String originName) {
    return from(userConfig, originName, Map.of());
  }

  private static ExperimentConfig from(Config userConfig, String originName, Map<String, Long> order) {
    Config reference = ConfigFactory.defaultReference().getConfig("experimenter");
    try {
      Config c = userConfig.withFallback(reference).resolve();
      c.checkValid(reference);
      return new ExperimentConfig(c, originName, order);
    } catch (ConfigException e) {
      throw new InvalidConfigException(e.getMessage(), e);
    }
  }

  /**
   * Returns a copy with some settings replaced, e.g. {@code Map.of("database.table", "t2")}
   * (tests, and tools that reuse one setup for several tables).
   */
  public ExperimentConfig withOverrides(Map<String, ?> overrides) {
    Config c = ConfigFactory.parseMap(overrides, "overrides");
    Map<String, Long> keep = new java.util.HashMap<>();
    long i = 0;
    for (Parameter p : keyfields) {
      keep.put("keyfields." + p.name(), i++);
    }
    for (String r : resultfields.keySet()) {
      keep.put("resultfields." + r, i++);
    }
    for (Map.Entry<String, LinkedHashMap<String, FieldType>> l : logtables.entrySet()) {
      for (String col : l.getValue().keySet()) {
        keep.put("logtables." + l.getKey() + "." + col, i++);
      }
    }
    return from(c.withFallback(ConfigFactory.parseString(resolvedJson)), origin, keep);
  }

  // ---- reading helpers ------------------------------------------------------------------

  private List<Parameter> readKeyfields(Config c, Map<String, String> seen) {
    ConfigObject obj = c.getObject("keyfields");
    if (obj.isEmpty()) {
      throw at(c, "keyfields", "no keyfields declared; an experiment needs at least one parameter");
    }
    List<Parameter> out = new ArrayList<>();
    for (String name : inFileOrder(obj, "keyfields.")) {
      String path = "keyfields." + quoteKey(name);
      fieldName(c, path, name, seen, "keyfield");
      ConfigValue v = c.getValue(path);
      if (v.valueType() != ConfigValueType.OBJECT) {
        throw at(c, path, "expected an object { type = ..., values = ... }, found " + typeName(v));
      }
      Config f = c.getConfig(path);
      if (!f.hasPath("type")) {
        throw at(c, path, "missing 'type' (one of int, long, double, string, boolean)");
      }
      FieldType type = fieldType(c, path + ".type", f.getValue("type"));
      if (!f.hasPath("values")) {
        throw at(c, path, "missing 'values' (a list, or a range { start, stop, step })");
      }
      List<Object> values = values(c, path + ".values", type);
      out.add(new Parameter(name, type, values));
    }
    return Collections.unmodifiableList(out);
  }

  private LinkedHashMap<String, FieldType> readResultfields(Config c, Map<String, String> seen) {
    LinkedHashMap<String, FieldType> out = new LinkedHashMap<>();
    ConfigObject obj = c.getObject("resultfields");
    for (String name : inFileOrder(obj, "resultfields.")) {
      String path = "resultfields." + quoteKey(name);
      fieldName(c, path, name, seen, "result field");
      out.put(name, fieldType(c, path, c.getValue(path)));
    }
    return out;
  }

  /**
   * HOCON objects do not keep key order, but column order should follow the file: sort by
   * where each key stands in the text (line, then column), falling back to line numbers.
   */
  private List<String> inFileOrder(ConfigObject obj, String prefix) {
    List<String> keys = new ArrayList<>(obj.keySet());
    keys.sort(
        java.util.Comparator.comparingLong(
                (String k) -> order.getOrDefault(prefix + k, obj.get(k).origin().lineNumber() * 100_000L))
            .thenComparing(k -> k));
    return keys;
  }

  /** For each keyfield and result field, line * 100000 + the column where its name first appears. */
  private static Map<String, Long> orderInText(Config parsed, String text) {
    String[] lines = text.split("\n", -1);
    Map<String, Long> out = new java.util.HashMap<>();
    List<String> sections = new ArrayList<>(List.of("keyfields", "resultfields"));
    if (parsed.hasPath("logtables") && parsed.getValue("logtables").valueType() == ConfigValueType.OBJECT) {
      for (String l : parsed.getObject("logtables").keySet()) {
        sections.add("logtables." + quoteKey(l));
      }
    }
    for (String section : sections) {
      if (!parsed.hasPath(section) || parsed.getValue(section).valueType() != ConfigValueType.OBJECT) {
        continue;
      }
      ConfigObject obj = parsed.getObject(section);
      for (String k : obj.keySet()) {
        int line = obj.get(k).origin().lineNumber();
        long col = 99_999;
        if (line >= 1 && line <= lines.length) {
          java.util.regex.Matcher m =
              Pattern.compile("(^|[\\s{,\"])" + Pattern.quote(k) + "\"?\\s*[={:]").matcher(lines[line - 1]);
          if (m.find()) {
            col = m.start();
          }
        }
        out.put(section + "." + k, line * 100_000L + col);
      }
    }
    return out;
  }

  private LinkedHashMap<String, LinkedHashMap<String, FieldType>> readLogtables(Config c) {
    LinkedHashMap<String, LinkedHashMap<String, FieldType>> out = new LinkedHashMap<>();
    ConfigObject obj = c.getObject("logtables");
    List<String> names = new ArrayList<>(obj.keySet());
    names.sort(java.util.Comparator.comparingInt((String k) -> obj.get(k).origin().lineNumber()).thenComparing(k -> k));
    for (String name : names) {
      String path = "logtables." + quoteKey(name);
      identifier(c, path, name);
      if (name.equals("attempts")) {
        throw at(c, path, "'attempts' is the built-in table of attempts; choose another name");
      }
      if ((table + "__" + name).length() > 63) {
        throw at(c, path, "the table name " + table + "__" + name + " is longer than 63 characters");
      }
      if (c.getValue(path).valueType() != ConfigValueType.OBJECT) {
        throw at(c, path, "expected an object of column = type, found " + typeName(c.getValue(path)));
      }
      ConfigObject cols = c.getObject(path);
      if (cols.isEmpty()) {
        throw at(c, path, "a log table needs at least one column");
      }
      List<String> colNames = new ArrayList<>(cols.keySet());
      colNames.sort(
          java.util.Comparator.comparingLong(
                  (String k) -> order.getOrDefault(path + "." + k, cols.get(k).origin().lineNumber() * 100_000L))
              .thenComparing(k -> k));
      LinkedHashMap<String, FieldType> types = new LinkedHashMap<>();
      for (String col : colNames) {
        String cp = path + "." + quoteKey(col);
        identifier(c, cp, col);
        if (Set.of("id", "experiment_id", "timestamp").contains(col)) {
          throw at(c, cp, "'" + col + "' is a built-in column of log tables; choose another name");
        }
        types.put(col, fieldType(c, cp, c.getValue(cp)));
      }
      out.put(name, types);
    }
    return out;
  }

  private void fieldName(Config c, String path, String name, Map<String, String> seen, String what) {
    identifier(c, path, name);
    if (BUILT_IN_COLUMNS.contains(name)) {
      throw at(c, path, "'" + name + "' is a built-in column of the experiment table; choose another name");
    }
    String previous = seen.putIfAbsent(name, what);
    if (previous != null) {
      throw at(c, path, "duplicate name '" + name + "': already declared as a " + previous);
    }
  }

  private FieldType fieldType(Config c, String path, ConfigValue v) {
    if (v.valueType() != ConfigValueType.STRING) {
      throw at(c, path, "expected a type name (int, long, double, string, boolean), found " + typeName(v));
    }
    String s = ((String) v.unwrapped()).trim().toLowerCase(Locale.ROOT);
    FieldType t = FieldType.fromConfigName(s);
    if (t == null) {
      throw at(c, path, "unknown type '" + v.unwrapped() + "'; expected one of int, long, double, string, boolean");
    }
    return t;
  }

  private List<Object> values(Config c, String path, FieldType type) {
    ConfigValue v = c.getValue(path);
    List<Object> out = new ArrayList<>();
    if (v.valueType() == ConfigValueType.LIST) {
      List<? extends ConfigValue> list = c.getList(path);
      if (list.isEmpty()) {
        throw at(c, path, "empty value list; give at least one value");
      }
      for (int i = 0; i < list.size(); i++) {
        out.add(listValue(c, path, i, list.get(i), type));
      }
    } else if (v.valueType() == ConfigValueType.OBJECT) {
      out.addAll(range(c, path, type));
    } else {
      throw at(c, path, "expected a list or a range { start, stop, step }, found " + typeName(v));
    }
    Set<Object> distinct = new java.util.HashSet<>();
    for (Object o : out) {
      if (!distinct.add(o)) {
        throw at(c, path, "value " + o + " appears twice");
      }
    }
    return out;
  }

  private Object listValue(Config c, String path, int i, ConfigValue item, FieldType type) {
    Object raw = item.unwrapped();
    String where = item.origin().description() + ": " + path + "[" + i + "]: ";
    try {
      switch (type) {
        case STRING:
          if (item.valueType() == ConfigValueType.STRING
              || item.valueType() == ConfigValueType.NUMBER
              || item.valueType() == ConfigValueType.BOOLEAN) {
            return String.valueOf(raw);
          }
          break;
        case DOUBLE:
          if (item.valueType() == ConfigValueType.NUMBER) {
            return ((Number) raw).doubleValue();
          }
          break;
        case INT:
        case LONG:
        case BOOLEAN:
          if (item.valueType() == ConfigValueType.NUMBER || item.valueType() == ConfigValueType.BOOLEAN) {
            return type.coerce(raw);
          }
          break;
        default:
          break;
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(where + e.getMessage());
    }
    throw new InvalidConfigException(
        where + "expected " + type.configName() + ", found " + typeName(item) + " " + item.render());
  }

  private List<Object> range(Config c, String path, FieldType type) {
    Config r = c.getConfig(path);
    for (String key : r.root().keySet()) {
      if (!Set.of("start", "stop", "step").contains(key)) {
        throw at(c, path + "." + key, "unknown range key; a range has start, stop and step");
      }
    }
    if (!r.hasPath("start") || !r.hasPath("stop")) {
      throw at(c, path, "a range needs start and stop (stop is excluded); step defaults to 1");
    }
    if (type != FieldType.INT && type != FieldType.LONG && type != FieldType.DOUBLE) {
      throw at(c, path, "a range only makes sense for int, long or double, not " + type.configName());
    }
    BigDecimal start = decimal(c, path + ".start");
    BigDecimal stop = decimal(c, path + ".stop");
    BigDecimal step = r.hasPath("step") ? decimal(c, path + ".step") : BigDecimal.ONE;
    if (step.signum() == 0) {
      throw at(c, path + ".step", "step 0 never reaches stop");
    }
    if (type != FieldType.DOUBLE
        && (start.stripTrailingZeros().scale() > 0
            || stop.stripTrailingZeros().scale() > 0
            || step.stripTrailingZeros().scale() > 0)) {
      throw at(c, path, "a range of " + type.configName() + " needs whole numbers; declare the field as double for fractional steps");
    }
    int cmp = stop.compareTo(start);
    if (cmp == 0) {
      throw at(c, path, "empty range: start equals stop (stop is excluded)");
    }
    if (cmp != step.signum()) {
      throw at(c, path, "range from " + start + " by " + step + " never reaches stop " + stop);
    }
    BigDecimal count = stop.subtract(start).divide(step, 0, java.math.RoundingMode.CEILING);
    if (count.compareTo(BigDecimal.valueOf(10_000_000)) > 0) {
      throw at(c, path, "range has " + count + " values; at most 10,000,000 per keyfield");
    }
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < count.intValue(); i++) {
      BigDecimal v = start.add(step.multiply(BigDecimal.valueOf(i)));
      out.add(
          type == FieldType.DOUBLE
              ? (Object) v.doubleValue()
              : type == FieldType.INT ? (Object) Math.toIntExact(v.longValueExact()) : (Object) v.longValueExact());
    }
    return out;
  }

  private BigDecimal decimal(Config c, String path) {
    ConfigValue v = c.getValue(path);
    if (v.valueType() != ConfigValueType.NUMBER) {
      throw at(c, path, "expected a number, found " + typeName(v));
    }
    // render() keeps the literal as written, so 0.1 stays exactly 0.1
    return new BigDecimal(v.render().trim());
  }

  private String identifier(Config c, String path, String name) {
    if (!IDENTIFIER.matcher(name).matches()) {
      throw at(c, path, "'" + name + "' is not a safe SQL identifier: use lower-case letters, digits and _, starting with a letter, at most 63 characters");
    }
    if (RESERVED.contains(name)) {
      throw at(c, path, "'" + name + "' is a reserved SQL word; choose another name");
    }
    return name;
  }

  private static String string(Config c, String path) {
    String s = c.getString(path).trim();
    if (s.isEmpty()) {
      throw at(c, path, "must not be empty");
    }
    return s;
  }

  private static long atLeast(Config c, String path, long value, long min) {
    if (value < min) {
      throw at(c, path, "must be at least " + min + ", found " + value);
    }
    return value;
  }

  private static Duration positive(Config c, String path) {
    Duration d = c.getDuration(path);
    if (d.isNegative() || d.isZero()) {
      throw at(c, path, "must be a positive duration, e.g. 5s");
    }
    return d;
  }

  private static String quoteKey(String key) {
    return com.typesafe.config.ConfigUtil.joinPath(key);
  }

  private static String typeName(ConfigValue v) {
    return v.valueType().name().toLowerCase(Locale.ROOT);
  }

  /** An error at a key, prefixed with the origin (file: line) of the value found there. */
  static InvalidConfigException at(Config c, String path, String message) {
    String where;
    try {
      where = c.getValue(path).origin().description();
    } catch (ConfigException e) {
      where = c.origin().description();
    }
    return new InvalidConfigException(where + ": " + path + ": " + message);
  }

  // ---- accessors ------------------------------------------------------------------------

  /** Where this config came from (a file name), for messages. */
  public String origin() {
    return origin;
  }

  public String url() {
    return url;
  }

  public String user() {
    return user;
  }

  /** The database password; never log it. */
  public String password() {
    return password;
  }

  public String table() {
    return table;
  }

  public List<Parameter> keyfields() {
    return keyfields;
  }

  public Parameter keyfield(String name) {
    for (Parameter p : keyfields) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    return null;
  }

  public List<String> keyfieldNames() {
    List<String> names = new ArrayList<>();
    for (Parameter p : keyfields) {
      names.add(p.name());
    }
    return names;
  }

  public Map<String, FieldType> resultfields() {
    return Collections.unmodifiableMap(resultfields);
  }

  public Grid grid() {
    return new Grid(keyfields);
  }

  /** Whether each result field has a {@code <field>_timestamp} column set when it is written. */
  public boolean resultTimestamps() {
    return resultTimestamps;
  }

  /** Declared log tables: name to columns (name to type), in file order. */
  public Map<String, Map<String, FieldType>> logtables() {
    return Collections.unmodifiableMap(logtables);
  }

  /** The {@code custom} section, as given. */
  public Config custom() {
    if (custom == null) {
      custom = ConfigFactory.parseString(customJson);
    }
    return custom;
  }

  /** The experiment class name, or an empty string when none is configured. */
  public String experimentClass() {
    return experimentClass;
  }

  public String sparkMaster() {
    return sparkMaster;
  }

  public String sparkAppName() {
    return sparkAppName;
  }

  public Map<String, String> sparkConf() {
    return Collections.unmodifiableMap(sparkConf);
  }

  public long maxExperiments() {
    return maxExperiments;
  }

  public int partitions() {
    return partitions;
  }

  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  public int missedBeats() {
    return missedBeats;
  }

  /** How long a running row may go without a heartbeat before it counts as lost. */
  public Duration leaseTimeout() {
    return heartbeatInterval.multipliedBy(missedBeats);
  }

  public Duration recoveryInterval() {
    return recoveryInterval;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public boolean retryErrors() {
    return retryErrors;
  }

  /** The per-experiment time limit; zero means none. */
  public Duration timeout() {
    return timeout;
  }

  public Duration shutdownGrace() {
    return shutdownGrace;
  }
}
