package org.experimenter.pyexperimenter;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.experimenter.FieldType;
import org.experimenter.InvalidConfigException;
import org.experimenter.config.DatabaseKind;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.config.TableNames;
import org.experimenter.pyexperimenter.Yaml.At;
import org.experimenter.store.dialect.Dialect;

/**
 * Reads a PyExperimenter 1.4.2 experiment configuration (YAML, the format of its documentation)
 * and writes the equivalent HOCON config of this tool, saying what it decided. Every key
 * PyExperimenter reads is carried over or reported as not carried over with the reason; a key
 * it does not read, or a type this tool cannot map, is an error naming file, line and key. The
 * database password is never written: the config takes it from the environment.
 *
 * <pre>{@code
 * ConfigImport.Result r = ConfigImport.read(Path.of("config.yml"), Path.of("creds.yml"), null);
 * Files.writeString(Path.of("conf/mine.conf"), r.hocon());
 * r.decisions().forEach(System.out::println);
 * }</pre>
 */
public final class ConfigImport {
    /** The variable the written config reads the database password from. */
    public static final String PASSWORD_VARIABLE = "EXPERIMENTER_DB_PASSWORD";

    private static final Pattern LONG_VARCHAR = Pattern.compile("(?i)\\s*(?:var)?char\\s*\\(\\s*(\\d+)\\s*\\)\\s*");
    /** The most characters one string keyfield keeps on MySQL and MariaDB (their dialect's rule). */
    private static final int KEY_TEXT_ON_MARIADB =
            Dialect.forUrl(DatabaseKind.MARIADB.urlPrefix()).keyTextLength(List.of(FieldType.STRING));

    private static final List<String> TOP = List.of("PY_EXPERIMENTER");
    private static final List<String> SECTIONS =
            List.of("n_jobs", "Database", "Custom", "CodeCarbon", "CUSTOM", "CODECARBON");
    private static final List<String> DATABASE =
            List.of("provider", "database", "use_ssh", "use_ssh_tunnel", "table", "logtables");
    private static final List<String> TABLE = List.of("name", "keyfields", "resultfields", "result_timestamps");
    private static final List<String> KEYFIELD = List.of("type", "values");
    private static final List<String> RANGE = List.of("start", "stop", "step");

    /**
     * The HOCON text and one line per decision, in the order of the YAML file; {@code function}
     * is the Python function the config runs, or null when it runs nothing yet.
     */
    public record Result(
            String hocon,
            List<String> decisions,
            String table,
            boolean mysql,
            String function,
            boolean readsPassword) {}

    /** What a config imported without --function lacks, and how to add it. */
    public static final String NO_EXPERIMENT = "the written config has no experiment: run would fail until it names"
            + " one. Import again with --function FILE.py:FUNCTION (PyExperimenter's experiment function, e.g."
            + " --function run_ml.py:run_ml), or add experiment { python { function = \"FILE.py:FUNCTION\" } } to"
            + " it (or experiment-class, or experiment { command = [...] })";

    private final String file;
    private final List<String> decisions = new ArrayList<>();
    private final StringBuilder out = new StringBuilder();
    private boolean mysql;
    private String function;
    private boolean readsPassword;

    private ConfigImport(String file) {
        this.file = file;
    }

    /**
     * Reads the config; {@code credentials} is PyExperimenter's database credential file (needed
     * for provider mysql), {@code table} the experiment table's name here, or null for
     * PyExperimenter's own.
     */
    public static Result read(Path yaml, Path credentials, String table) {
        return read(yaml, credentials, table, null);
    }

    /**
     * The same, and the config runs {@code function} ({@code file.py:name} or {@code
     * module:name}, PyExperimenter's experiment function) in an experiment.python block; null
     * writes no experiment.
     */
    public static Result read(Path yaml, Path credentials, String table, String function) {
        ConfigImport i = new ConfigImport(yaml.toString());
        i.function = function == null || function.isBlank() ? null : function.trim();
        return i.convert(Yaml.read(yaml), credentials, table);
    }

    private Result convert(At root, Path credentials, String tableOverride) {
        Map<String, At> top = Yaml.mapping(file, root);
        Yaml.onlyKeys(file, root, top, TOP, null);
        At pe = top.get("PY_EXPERIMENTER");
        if (pe == null) {
            throw Yaml.error(file, root, "no PY_EXPERIMENTER section; is this a PyExperimenter config?");
        }
        Map<String, At> sections = Yaml.mapping(file, pe);
        Yaml.onlyKeys(file, pe, sections, SECTIONS, null);
        At database = sections.get("Database");
        if (database == null) {
            throw Yaml.error(file, pe, "no Database section");
        }
        Map<String, At> db = Yaml.mapping(file, database);
        Yaml.onlyKeys(file, database, db, DATABASE, null);
        At tableAt = require(database, db, "table");
        Map<String, At> table = Yaml.mapping(file, tableAt);
        Yaml.onlyKeys(
                file,
                tableAt,
                table,
                TABLE,
                table.containsKey("logtables")
                        ? "log tables sit under PY_EXPERIMENTER.Database, not under its table"
                        : null);
        String name = Yaml.text(file, require(tableAt, table, "name"));
        String ourTable = tableOverride == null ? name : tableOverride;

        // a line break in the file's name would end the comment and make the rest config
        out.append("# Made by import-pyexperimenter from ")
                .append(String.valueOf(Path.of(file).getFileName()).replaceAll("\\p{Cntrl}", "?"))
                .append(" (PyExperimenter 1.4.2's format).\n");
        databaseSection(database, db, credentials, name, ourTable);
        keyfields(require(tableAt, table, "keyfields"));
        resultfields(table);
        logtables(db.get("logtables"));
        custom(sections);
        notCarriedOver(sections, db);
        experiment();

        String hocon = out.toString();
        try {
            ExperimentConfig.parse(hocon, "the imported config");
        } catch (InvalidConfigException e) {
            if (function != null && e.getMessage().contains("experiment.python.function: ")) {
                String why = e.getMessage().substring(e.getMessage().indexOf("experiment.python.function: ") + 28);
                throw new InvalidConfigException("--function " + function + ": " + why, e);
            }
            throw new InvalidConfigException(file + ": what it becomes here is refused: " + e.getMessage(), e);
        }
        return new Result(hocon, List.copyOf(decisions), ourTable, mysql, function, readsPassword);
    }

    private At require(At parent, Map<String, At> entries, String key) {
        At at = entries.get(key);
        if (at == null) {
            throw Yaml.error(file, parent, "missing '" + key + "'");
        }
        return at;
    }

    private void decide(At at, String what) {
        decisions.add(file + ": " + at.line() + ": " + at.path() + ": " + what);
    }

    private void databaseSection(At database, Map<String, At> db, Path credentials, String name, String table) {
        At providerAt = require(database, db, "provider");
        String provider = Yaml.text(file, providerAt);
        String dbName = Yaml.text(file, require(database, db, "database"));
        boolean ssh = sshWanted(db);
        out.append("database {\n");
        if (provider.equals("sqlite")) {
            String url = DatabaseKind.SQLITE.urlPrefix() + dbName + ".db";
            out.append("  url = ").append(quote(url)).append('\n');
            decide(
                    providerAt,
                    "sqlite: the file " + dbName + ".db, as PyExperimenter names it; the URL " + url
                            + " is relative to where this tool runs");
        } else if (provider.equals("mysql")) {
            mysql = true;
            Credentials c = Credentials.read(credentials, ssh);
            String url = "jdbc:mariadb://" + c.server() + "/" + dbName;
            out.append("  url = ").append(quote(url)).append('\n');
            if (c.user() != null) {
                out.append("  user = ").append(quote(c.user())).append('\n');
            }
            // a user without a password (a local server) is not asked for one
            readsPassword = c.hasPassword();
            if (readsPassword) {
                out.append("  password = ${?").append(PASSWORD_VARIABLE).append("}\n");
            }
            decide(
                    providerAt,
                    "mysql: " + url + " (MariaDB Connector/J, which serves MySQL and MariaDB), server and user from "
                            + c.file()
                            + (readsPassword
                                    ? "; the password is not copied: set " + PASSWORD_VARIABLE + " in the environment"
                                    : "; it has no password, and the config reads none"));
        } else {
            throw Yaml.error(
                    file, providerAt, "unknown provider '" + provider + "'; PyExperimenter has sqlite and mysql");
        }
        out.append("  table = ").append(table).append('\n');
        out.append("}\n");
        At nameAt = db.get("table");
        if (!table.equals(name)) {
            decide(nameAt, "table " + table + " (PyExperimenter's is " + name + ")");
        } else {
            decide(
                    nameAt,
                    "table " + name + ", PyExperimenter's name; to copy its rows with adopt-pyexperimenter into the"
                            + " same database, import with --table NAME: the two tables cannot share a name");
        }
        checkName(nameAt, table, "table");
    }

    private boolean sshWanted(Map<String, At> db) {
        for (String key : List.of("use_ssh", "use_ssh_tunnel")) {
            At at = db.get(key);
            if (at != null && Boolean.TRUE.equals(Yaml.scalar(file, at))) {
                return true;
            }
        }
        return false;
    }

    private void keyfields(At at) {
        Map<String, At> fields = Yaml.mapping(file, at);
        if (fields.isEmpty()) {
            throw Yaml.error(file, at, "no keyfields; an experiment needs at least one");
        }
        out.append("keyfields {\n");
        for (Map.Entry<String, At> f : fields.entrySet()) {
            At field = f.getValue();
            checkName(field, f.getKey(), "keyfield");
            Map<String, At> parts = Yaml.mapping(file, field);
            Yaml.onlyKeys(file, field, parts, KEYFIELD, null);
            At typeAt = require(field, parts, "type");
            SqlTypes.Mapped type = type(typeAt);
            java.util.regex.Matcher varchar = LONG_VARCHAR.matcher(Yaml.text(file, typeAt));
            if (mysql && varchar.matches() && Integer.parseInt(varchar.group(1)) > KEY_TEXT_ON_MARIADB) {
                decide(
                        typeAt,
                        "a string keyfield here keeps at most " + KEY_TEXT_ON_MARIADB + " characters on MySQL and"
                                + " MariaDB (its UNIQUE key); fill refuses longer values");
            }
            out.append("  ")
                    .append(f.getKey())
                    .append(" { type = ")
                    .append(type.type().configName());
            At values = parts.get("values");
            boolean none = values == null
                    || (values.node() instanceof org.yaml.snakeyaml.nodes.ScalarNode
                            && Yaml.scalar(file, values) == null);
            if (none) {
                decide(
                        field,
                        "no values, as in PyExperimenter's conditional grids: its rows come from"
                                + " fill --combinations or fill --from");
            } else {
                out.append(", values = ").append(values(values, type.type()));
            }
            out.append(" }\n");
        }
        out.append("}\n");
    }

    private SqlTypes.Mapped type(At at) {
        String sql = Yaml.text(file, at);
        SqlTypes.Mapped m = SqlTypes.map(sql, mysql);
        if (m == null) {
            throw Yaml.error(file, at, "unknown type '" + sql + "'; known: " + SqlTypes.KNOWN);
        }
        if (m.note() != null) {
            decide(at, sql + " -> " + m.type().configName() + ": " + m.note());
        }
        return m;
    }

    /** A value list, or a range with numpy's arange semantics. */
    private String values(At at, FieldType type) {
        if (at.node() instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
            List<Object> list = new ArrayList<>();
            for (At v : Yaml.sequence(file, at)) {
                list.add(listValue(v, type));
            }
            if (list.isEmpty()) {
                throw Yaml.error(file, at, "an empty list: PyExperimenter's grid would have no rows");
            }
            return render(list);
        }
        Map<String, At> range = Yaml.mapping(file, at);
        Yaml.onlyKeys(file, at, range, RANGE, null);
        Number start = number(require(at, range, "start"));
        Number stop = number(require(at, range, "stop"));
        Number step = range.containsKey("step") ? number(range.get("step")) : Long.valueOf(1);
        List<Object> values;
        try {
            values = NumpyRange.arange(start, stop, step);
        } catch (IllegalArgumentException e) {
            throw Yaml.error(file, at, e.getMessage());
        }
        String call = "arange(" + start + ", " + stop + ", " + step + ")";
        if (values.isEmpty()) {
            throw Yaml.error(file, at, "numpy's " + call + " is empty: PyExperimenter's grid would have no rows");
        }
        boolean integral = values.get(0) instanceof Long;
        if ((type == FieldType.INT || type == FieldType.LONG) && !integral) {
            throw Yaml.error(
                    file,
                    at,
                    "numpy's " + call + " gives fractional values for an integer keyfield; declare it as a DOUBLE");
        }
        if (type == FieldType.STRING || type == FieldType.BOOLEAN) {
            List<Object> text = new ArrayList<>();
            values.forEach(v -> text.add(python(v)));
            decide(at, "numpy's " + call + " into a " + type.configName() + " keyfield: the values as text " + text);
            return render(text);
        }
        if (integral || sameAsOurRange(start, stop, step, values)) {
            return "{ start = " + start + ", stop = " + stop + ", step = " + step + " }";
        }
        decide(
                at,
                "numpy's " + call + " gives " + values + " (floating-point steps); written as that list, so the"
                        + " grid has PyExperimenter's values (a range here would step exactly)");
        return render(values);
    }

    /** Whether this tool's exact decimal range gives the same doubles as numpy. */
    private static boolean sameAsOurRange(Number start, Number stop, Number step, List<Object> numpy) {
        BigDecimal a = new BigDecimal(start.toString());
        BigDecimal b = new BigDecimal(stop.toString());
        BigDecimal s = new BigDecimal(step.toString());
        if (s.signum() == 0 || b.compareTo(a) != s.signum()) {
            return false;
        }
        long n = b.subtract(a).divide(s, 0, java.math.RoundingMode.CEILING).longValue();
        if (n != numpy.size()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (a.add(s.multiply(BigDecimal.valueOf(i))).doubleValue() != ((Number) numpy.get(i)).doubleValue()) {
                return false;
            }
        }
        return true;
    }

    private Object listValue(At v, FieldType type) {
        Object value = Yaml.scalar(file, v);
        if (value == null) {
            throw Yaml.error(file, v, "no value (null); keyfields here always have one");
        }
        if (type == FieldType.STRING) {
            return value instanceof String ? value : python(value);
        }
        try {
            Object c = type.coerce(value);
            if (c == null) {
                throw new IllegalArgumentException("no value");
            }
            return c;
        } catch (IllegalArgumentException e) {
            throw Yaml.error(file, v, e.getMessage());
        }
    }

    private Number number(At at) {
        Object v = Yaml.scalar(file, at);
        if (v instanceof Long || v instanceof Double) {
            return (Number) v;
        }
        throw Yaml.error(file, at, "expected a number, found " + Yaml.kind(at.node()));
    }

    /** How Python's str() writes a number or boolean: the text PyExperimenter stored. */
    private static String python(Object v) {
        if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                return d.isNaN() ? "nan" : d > 0 ? "inf" : "-inf";
            }
            BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
            double abs = Math.abs(d);
            if (abs == 0 || (abs >= 1e-4 && abs < 1e16)) {
                String plain = bd.toPlainString();
                return plain.contains(".") ? plain : plain + ".0";
            }
            int exp = bd.precision() - bd.scale() - 1;
            String mantissa = bd.movePointLeft(exp).stripTrailingZeros().toPlainString();
            return mantissa + "e" + (exp < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exp));
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return String.valueOf(v);
    }

    private void resultfields(Map<String, At> table) {
        At results = table.get("resultfields");
        out.append("resultfields {\n");
        if (results != null && !(results.node() instanceof org.yaml.snakeyaml.nodes.ScalarNode)) {
            for (Map.Entry<String, At> r : Yaml.mapping(file, results).entrySet()) {
                checkName(r.getValue(), r.getKey(), "result field");
                out.append("  ")
                        .append(r.getKey())
                        .append(" = ")
                        .append(type(r.getValue()).type().configName())
                        .append('\n');
            }
        }
        out.append("}\n");
        At ts = table.get("result_timestamps");
        if (ts != null) {
            Object on = Yaml.scalar(file, ts);
            if (!(on instanceof Boolean)) {
                throw Yaml.error(file, ts, "expected true or false, found " + Yaml.kind(ts.node()));
            }
            out.append("result-timestamps = ").append(on).append('\n');
            if ((Boolean) on) {
                decide(
                        ts,
                        "result-timestamps = true: <field>_timestamp columns, timestamps here (PyExperimenter's"
                                + " are VARCHAR(255) local time)");
            }
        }
    }

    private void logtables(At at) {
        if (at == null) {
            return;
        }
        out.append("logtables {\n");
        for (Map.Entry<String, At> l : Yaml.mapping(file, at).entrySet()) {
            checkName(l.getValue(), l.getKey(), "log table");
            out.append("  ").append(l.getKey()).append(" {\n");
            for (Map.Entry<String, At> c : Yaml.mapping(file, l.getValue()).entrySet()) {
                checkName(c.getValue(), c.getKey(), "log-table column");
                out.append("    ")
                        .append(c.getKey())
                        .append(" = ")
                        .append(type(c.getValue()).type().configName())
                        .append('\n');
            }
            out.append("  }\n");
        }
        out.append("}\n");
        decide(
                at,
                "log tables: under PY_EXPERIMENTER.Database there, top-level logtables here; stored as"
                        + " <table>__<name> as PyExperimenter does, with its experiment_id and timestamp columns");
    }

    private void custom(Map<String, At> sections) {
        At custom = sections.get("Custom");
        At upper = sections.get("CUSTOM");
        if (custom == null && upper != null) {
            custom = upper;
            decide(
                    upper,
                    "carried over as custom; note that PyExperimenter 1.4.2 reads only 'Custom' and ignored this"
                            + " section, so its experiments saw no custom values");
        } else if (upper != null) {
            decide(upper, "ignored, as PyExperimenter ignores it: it reads 'Custom'");
        }
        if (custom == null || custom.node() instanceof org.yaml.snakeyaml.nodes.ScalarNode) {
            return;
        }
        Object values = Yaml.plain(file, custom);
        out.append("custom = ")
                .append(ConfigValueFactory.fromAnyRef(values).render(ConfigRenderOptions.concise()))
                .append('\n');
    }

    /** The function given with --function, called as PyExperimenter's execute() calls it. */
    private void experiment() {
        if (function == null) {
            return;
        }
        out.append("experiment {\n")
                .append("  # PyExperimenter's experiment function, called once per row by long-lived Python workers;\n")
                .append("  # a file is relative to where the tool runs. interpreter (python3), path, environment:\n")
                .append("  # README, \"I have a PyExperimenter function\"\n")
                .append("  python { function = ")
                .append(quote(function))
                .append(" }\n")
                .append("}\n");
        decisions.add("--function " + function + ": experiment.python.function, called as PyExperimenter's execute()"
                + " calls it: run_ml(parameters, result_processor, custom_config)");
    }

    private void notCarriedOver(Map<String, At> sections, Map<String, At> db) {
        At jobs = sections.get("n_jobs");
        if (jobs != null) {
            decide(
                    jobs,
                    "not carried over: Spark runs as many experiments at once as it has cores (spark.master"
                            + " local[N], or the cluster's executors)");
        }
        for (String key : List.of("CodeCarbon", "CODECARBON")) {
            At cc = sections.get(key);
            if (cc != null) {
                decide(
                        cc,
                        "not carried over as settings: every attempt records its energy and emissions in"
                                + " <table>__energy (measured from RAPL, else estimated from its CPU time; the energy"
                                + " section, on by default: docs/energy-and-provenance.md), and adopt-pyexperimenter"
                                + " copies the <table>_codecarbon rows there"
                                + (key.equals("CODECARBON") ? " (PyExperimenter ignored this spelling anyway)" : ""));
            }
        }
        for (String key : List.of("use_ssh", "use_ssh_tunnel")) {
            At at = db.get(key);
            if (at != null && Boolean.TRUE.equals(Yaml.scalar(file, at))) {
                decide(
                        at,
                        "not carried over: open the SSH tunnel yourself (ssh -L 3306:<server>:3306 <host>) and"
                                + " keep the URL's server at its local end");
            }
        }
    }

    private void checkName(At at, String name, String what) {
        if (!TableNames.isIdentifier(name)) {
            throw Yaml.error(
                    file,
                    at,
                    "the " + what + " name '" + name + "' is not usable here: lower-case letters, digits and _,"
                            + " starting with a letter (column names are written unquoted)");
        }
        if (ExperimentConfig.BUILT_IN_COLUMNS.contains(name) && !what.startsWith("log") && !what.equals("table")) {
            throw Yaml.error(
                    file,
                    at,
                    "'" + name + "' is a built-in column of this tool's experiment table; rename the " + what);
        }
    }

    private static String render(List<?> values) {
        return ConfigValueFactory.fromAnyRef(values).render(ConfigRenderOptions.concise());
    }

    private static String quote(String s) {
        return ConfigValueFactory.fromAnyRef(s).render(ConfigRenderOptions.concise());
    }

    /**
     * PyExperimenter's database credential file: user, server, and whether it has a password (the
     * password itself is never copied).
     */
    record Credentials(String file, String user, boolean hasPassword, String server) {
        static Credentials read(Path path, boolean ssh) {
            Path p = path != null ? path : Path.of("config", "database_credentials.yml");
            if (path == null && !java.nio.file.Files.isRegularFile(p)) {
                throw new InvalidConfigException("provider mysql: give PyExperimenter's database credential file with"
                        + " --credentials FILE (not found at its default place, config/database_credentials.yml)");
            }
            String f = p.toString();
            At root = Yaml.read(p);
            Map<String, At> top = Yaml.mapping(f, root);
            At creds = top.get("CREDENTIALS");
            if (creds == null) {
                throw Yaml.error(f, root, "no CREDENTIALS section");
            }
            Map<String, At> c = Yaml.mapping(f, creds);
            At database = c.get("Database");
            String user = null;
            boolean hasPassword = false;
            if (database != null) {
                Map<String, At> d = Yaml.mapping(f, database);
                At u = d.get("user");
                user = u == null ? null : Yaml.text(f, u);
                At pw = d.get("password");
                hasPassword = pw != null
                        && Yaml.scalar(f, pw) != null
                        && !String.valueOf(Yaml.scalar(f, pw)).isEmpty();
            }
            At connection = c.get("Connection");
            if (connection == null) {
                throw Yaml.error(f, creds, "missing 'Connection' (Standard.server)");
            }
            Map<String, At> conn = Yaml.mapping(f, connection);
            At which = conn.get(ssh ? "Ssh" : "Standard");
            if (which == null) {
                throw Yaml.error(f, connection, "missing '" + (ssh ? "Ssh" : "Standard") + "'");
            }
            Map<String, At> server = Yaml.mapping(f, which);
            At s = server.get("server");
            if (s == null) {
                throw Yaml.error(f, which, "missing 'server'");
            }
            return new Credentials(f, user, hasPassword, Yaml.text(f, s));
        }
    }
}
