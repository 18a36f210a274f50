// Parsing HOCON, merging it over reference.conf and validating the settings outside the field
// sections (database, spark, execution, lease, retries); FieldReader and ValueReader do the rest.
package org.experimenter.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.experimenter.FieldType;
import org.experimenter.InvalidConfigException;
import org.experimenter.artifacts.ArtifactRoot;
import org.experimenter.grid.Parameter;

/**
 * Reads one resolved config for the {@link ExperimentConfig} constructor, which asks for each
 * setting in turn. Every method validates what it returns and throws {@link
 * InvalidConfigException} naming the file, line and key.
 */
final class ConfigReader {
    private final Config c;
    private final String origin;
    private final FieldReader fields;

    private ConfigReader(Config c, String origin, Map<String, Long> order) {
        this.c = c;
        this.origin = origin;
        this.fields = new FieldReader(c, order);
    }

    static ExperimentConfig load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidConfigException(file + ": no such config file");
        }
        Config parsed;
        String text;
        try {
            text = Files.readString(file);
            parsed = ConfigFactory.parseFile(file.toFile(), RequiredIncludes.options(file.toString()));
        } catch (ConfigException e) {
            throw new InvalidConfigException(unclosed(e.getMessage()), e);
        } catch (IOException e) {
            throw new InvalidConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
        return from(parsed, file.toString(), FieldReader.orderInText(parsed, text));
    }

    static ExperimentConfig parse(String hocon, String originName) {
        Config parsed;
        try {
            parsed = ConfigFactory.parseString(hocon, RequiredIncludes.options(originName));
        } catch (ConfigException e) {
            throw new InvalidConfigException(unclosed(e.getMessage()), e);
        }
        return from(parsed, originName, FieldReader.orderInText(parsed, hocon));
    }

    /**
     * HOCON's message for a file that ends inside a brace names the wrong bracket ("expecting a
     * close parentheses ')' here, not: end of file", for a '{' left open): say what it means.
     */
    private static String unclosed(String message) {
        return message != null && message.endsWith("not: end of file")
                ? message + " (the file ends inside a '{', '[' or '(' that is not closed)"
                : message;
    }

    static ExperimentConfig from(Config userConfig, String originName) {
        return from(userConfig, originName, Map.of());
    }

    static ExperimentConfig withOverrides(ExperimentConfig base, Map<String, ?> overrides) {
        Config c = ConfigFactory.parseMap(overrides, "overrides");
        Config previous = ConfigFactory.parseString(base.resolvedJson());
        // the resolved JSON has lost the file's text, so keep the field order base was read in
        return from(c.withFallback(previous), base.origin(), FieldReader.orderOf(base));
    }

    private static ExperimentConfig from(Config userConfig, String originName, Map<String, Long> order) {
        Config reference = ConfigFactory.defaultReference().getConfig("experimenter");
        try {
            Config c = userConfig.withFallback(reference).resolve();
            c.checkValid(reference);
            // before any field is read: "tabel" is the mistake, not the table it leaves missing
            KnownKeys.check(c, reference);
            return new ExperimentConfig(new ConfigReader(c, originName, order));
        } catch (ConfigException e) {
            throw new InvalidConfigException(e.getMessage(), e);
        }
    }

    String origin() {
        return origin;
    }

    String resolvedJson() {
        return c.root().render(ConfigRenderOptions.concise());
    }

    String databaseUrl() {
        String url = nonEmpty("database.url");
        if (DatabaseKind.forUrl(url) == null) {
            throw at(c, "database.url", "expected a " + orList(DatabaseKind.urlPrefixes()) + " URL");
        }
        // user:password@host: the drivers read no credentials there (the password would end up
        // in their error messages), and the URL is shown redacted in messages
        if (DatabaseKind.hasUserInfo(url)) {
            throw at(
                    c,
                    "database.url",
                    "put the user and password in database.user and database.password, not in the URL"
                            + " (user@host)");
        }
        return url;
    }

    /** "a, b, c" as "a, b or c". */
    private static String orList(List<String> items) {
        int last = items.size() - 1;
        return last == 0 ? items.get(0) : String.join(", ", items.subList(0, last)) + " or " + items.get(last);
    }

    String table() {
        if (!c.hasPath("database.table")) {
            throw new InvalidConfigException(
                    origin + ": database.table: missing; name the experiment table, e.g. table = my_runs");
        }
        String table = FieldReader.identifier(c, "database.table", c.getString("database.table"));
        checkLength("database.table", TableNames.of(table));
        return table;
    }

    /** Refuses a name whose derived names the database would cut (it keeps only so many characters). */
    void checkLength(String path, List<String> derived) {
        DatabaseKind db = DatabaseKind.forUrl(c.getString("database.url"));
        for (String name : derived) {
            if (name.length() > db.maxIdentifierLength()) {
                throw at(
                        c,
                        path,
                        "too long for " + db.displayName() + ": it names " + name + ", " + name.length()
                                + " characters, and " + db.displayName() + " keeps at most "
                                + db.maxIdentifierLength());
            }
        }
    }

    List<Parameter> keyfields() {
        return fields.keyfields();
    }

    LinkedHashMap<String, FieldType> resultfields() {
        return fields.resultfields();
    }

    boolean resultTimestamps(Set<String> resultNames) {
        boolean on = c.getBoolean("result-timestamps");
        if (on) {
            for (String r : resultNames) {
                String ts = r + "_timestamp";
                if (fields.declared(ts) || ExperimentConfig.BUILT_IN_COLUMNS.contains(ts)) {
                    throw at(
                            c,
                            "result-timestamps",
                            "the column " + ts + " for result field " + r + " clashes with a field of the same name");
                }
            }
        }
        return on;
    }

    LinkedHashMap<String, LinkedHashMap<String, FieldType>> logtables(String table) {
        LinkedHashMap<String, LinkedHashMap<String, FieldType>> logtables = fields.logtables(table);
        for (String l : logtables.keySet()) {
            checkLength("logtables." + l, TableNames.of(table, l));
        }
        return logtables;
    }

    /** execution.order, id or seed-major; for seed-major, execution.seed-field is checked to be an int keyfield. */
    String claimOrder(List<Parameter> keyfields) {
        String order = c.getString("execution.order").trim();
        if (order.equals("id")) {
            return order;
        }
        if (!order.equals("seed-major")) {
            throw at(c, "execution.order", "expected id or seed-major, found " + order);
        }
        String field = c.getString("execution.seed-field").trim();
        String problem = ExperimentConfig.seedFieldProblem(field, keyfields);
        if (problem != null) {
            throw at(c, "execution.seed-field", problem);
        }
        return order;
    }

    /** The halving section, or null when the config has none. */
    HalvingSettings halving(List<Parameter> keyfields, Map<String, FieldType> resultfields) {
        return HalvingReader.read(c, keyfields, resultfields);
    }

    /** The experiment section's command, or null when the config names none. */
    CommandSettings command(List<String> keyfieldNames, String experimentClass) {
        return CommandReader.read(c, new java.util.LinkedHashSet<>(keyfieldNames), experimentClass);
    }

    /** The experiment section's Python function, or null when the config names none. */
    PythonSettings python(String experimentClass) {
        return PythonReader.read(c, experimentClass);
    }

    ResourceSettings resources(int maxAttempts) {
        return ResourcesReader.read(c, maxAttempts);
    }

    Map<Integer, ResourceSettings> stageResources(int maxAttempts) {
        return ResourcesReader.readStages(c, maxAttempts);
    }

    LinkedHashMap<String, String> sparkConf() {
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : c.getConfig("spark.conf").entrySet()) {
            // entrySet keys are HOCON paths: "spark.ui.enabled" (quoted) comes back with its quotes
            out.put(
                    String.join(".", ConfigUtil.splitPath(e.getKey())),
                    String.valueOf(e.getValue().unwrapped()));
        }
        return out;
    }

    EnergySettings energy() {
        return new EnergySettings(
                bool("energy.enabled"),
                notNegativeNumber("energy.cpu-power-per-core-w"),
                notNegativeNumber("energy.ram-power-per-gb-w"),
                notNegativeNumber("energy.ram-gb"),
                notNegativeNumber("energy.carbon-intensity-g-per-kwh"),
                plain("energy.country").trim(),
                nonEmpty("energy.powercap-root"),
                plain("energy.nvidia-smi").trim(),
                positive("energy.gpu-sample-interval"));
    }

    /** The names of provenance.packages: top-level Python packages, each a dotted identifier. */
    List<String> provenancePackages() {
        List<String> names = c.getStringList("provenance.packages");
        for (String n : names) {
            if (!n.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
                throw at(c, "provenance.packages", "\"" + n + "\" is no Python package name");
            }
        }
        return List.copyOf(names);
    }

    private double notNegativeNumber(String path) {
        double d = c.getDouble(path);
        if (!(d >= 0) || Double.isInfinite(d)) {
            throw at(
                    c,
                    path,
                    "must be a number at least 0, found " + c.getValue(path).render());
        }
        return d;
    }

    /** The value at path as compact JSON, for sections handed on as they are. */
    String json(String path) {
        return c.getValue(path).render(ConfigRenderOptions.concise());
    }

    /** {@code artifacts.root}: null when empty. */
    ArtifactRoot artifactRoot() {
        String root = c.getString("artifacts.root").trim();
        if (root.isEmpty()) {
            return null;
        }
        try {
            return ArtifactRoot.of(root);
        } catch (IllegalArgumentException e) {
            throw at(c, "artifacts.root", "expected a folder or a file system URI: " + e.getMessage());
        }
    }

    /** A string as given, possibly empty. */
    String plain(String path) {
        return c.getString(path);
    }

    String nonEmpty(String path) {
        String s = c.getString(path).trim();
        if (s.isEmpty()) {
            throw at(c, path, "must not be empty");
        }
        return s;
    }

    boolean bool(String path) {
        return c.getBoolean(path);
    }

    long longAtLeast(String path, long min) {
        return atLeast(path, c.getLong(path), min);
    }

    int intAtLeast(String path, int min) {
        return (int) atLeast(path, c.getInt(path), min);
    }

    private long atLeast(String path, long value, long min) {
        if (value < min) {
            throw at(c, path, "must be at least " + min + ", found " + value);
        }
        return value;
    }

    Duration duration(String path) {
        return c.getDuration(path);
    }

    Duration notNegative(String path) {
        Duration d = c.getDuration(path);
        if (d.isNegative()) {
            throw at(c, path, "must not be negative");
        }
        return d;
    }

    Duration positive(String path) {
        Duration d = c.getDuration(path);
        if (d.isNegative() || d.isZero()) {
            throw at(c, path, "must be a positive duration, e.g. 5s");
        }
        return d;
    }

    static String quoteKey(String key) {
        return ConfigUtil.joinPath(key);
    }

    static String typeName(ConfigValue v) {
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
}
