package org.experimenter.pyexperimenter;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.experimenter.ExperimenterException;
import org.experimenter.FieldType;
import org.experimenter.Status;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.grid.Parameter;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.RowImport;
import org.experimenter.store.dialect.Dialect;
import org.experimenter.store.dialect.Redact;

/**
 * Copies a table that PyExperimenter 1.4.2 filled (and its log tables) into this tool's table
 * of a config: the same ids, keyfields, statuses, results, errors and dates, its local-time
 * date strings read in a stated zone, log rows linked to the same ids. Rows the table already
 * has (same id, same keyfields) are skipped; a row that cannot be read or that conflicts with
 * one here is listed, and then nothing is copied. Everything is copied in one transaction.
 *
 * <p>PyExperimenter leaves the rows of a crashed process {@code running} forever, so running
 * rows are copied only when told to reset them to created ({@link Options#resetRunning}).
 */
public final class TableAdoption {
    /** PyExperimenter's own columns beside keyfields and result fields (its CREATE TABLE). */
    private static final Set<String> BUILT_IN =
            Set.of("id", "creation_date", "status", "start_date", "name", "machine", "end_date", "error");

    /** Its dates: {@code datetime.now().strftime("%Y-%m-%d %H:%M:%S")}; MySQL may add a fraction. */
    private static final DateTimeFormatter DATE = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd")
            .optionalStart()
            .appendLiteral(' ')
            .optionalEnd()
            .optionalStart()
            .appendLiteral('T')
            .optionalEnd()
            .appendPattern("HH:mm:ss")
            .optionalStart()
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .optionalEnd()
            .toFormatter(Locale.ROOT);

    private static final int MAX_LISTED = 20;

    /**
     * @param from a SQLite file, or a JDBC URL of MySQL/MariaDB ({@code jdbc:mariadb://host/db})
     * @param table PyExperimenter's table there
     * @param zone the time zone its date strings are local time of (the machines that ran it)
     * @param resetRunning copy running rows as created (else they are refused)
     * @param nullAs the text a NULL string keyfield becomes (its conditional grids leave some
     *     unset), or null to refuse such rows
     * @param user the source's user, or null for the config's user and password
     * @param password the source's password when a user is given
     */
    public record Options(
            String from,
            String table,
            ZoneId zone,
            boolean resetRunning,
            String nullAs,
            String user,
            String password) {}

    /** What was found and done: counts per status before and after, and the lines to print. */
    public record Report(
            Map<Status, Long> source,
            Map<Status, Long> before,
            Map<Status, Long> after,
            int copied,
            int skipped,
            int reset,
            int logRows,
            List<String> lines) {}

    /** Raised when rows cannot be copied; its message lists them. Nothing was copied. */
    public static final class AdoptionException extends ExperimenterException {
        private static final long serialVersionUID = 1L;

        AdoptionException(String message) {
            super(message);
        }
    }

    private final ExperimentConfig config;
    private final Options o;
    private final ExperimentStore store;
    private final List<String> problems = new ArrayList<>();
    /** Rows that were running there, copied as created. */
    private final Set<Long> resetIds = new java.util.HashSet<>();

    private final String source;

    /** A table name as SQL writes it unquoted; PyExperimenter's are. */
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    private TableAdoption(ExperimentConfig config, Options o) {
        if (!TABLE_NAME.matcher(o.table()).matches()) {
            // the name goes into the statements as it is
            throw new ExperimenterException("--table " + o.table() + ": not a table name (letters, digits and _,"
                    + " not starting with a digit, at most 64)");
        }
        this.config = config;
        this.o = o;
        this.store = new ExperimentStore(config);
        this.source = o.table() + " in " + describe(o.from());
    }

    public static Report adopt(ExperimentConfig config, Options options) {
        return new TableAdoption(config, options).run();
    }

    /** Rows PyExperimenter left running, so that the caller can ask before adopting. */
    public static long runningRows(ExperimentConfig config, Options options) {
        TableAdoption a = new TableAdoption(config, options);
        try (Connection c = a.connectSource()) {
            return a.sourceCounts(c).get(Status.RUNNING);
        } catch (SQLException e) {
            throw a.failure("cannot read " + a.source, e);
        }
    }

    private Report run() {
        if (sameTable()) {
            throw new AdoptionException("the PyExperimenter table " + source + " is the config's own table; give the"
                    + " config another database.table (import-pyexperimenter --table NAME)");
        }
        store.createTableIfMissing();
        List<String> lines = new ArrayList<>();
        List<RowImport.Row> rows = new ArrayList<>();
        List<RowImport.LogRow> logRows = new ArrayList<>();
        List<RowImport.EnergyRow> energyRows = new ArrayList<>();
        Map<Status, Long> sourceCounts;
        int skipped = 0;
        int reset = 0;
        try (Connection c = connectSource()) {
            sourceCounts = sourceCounts(c);
            lines.add("PyExperimenter table " + source + ": " + total(sourceCounts) + " rows: " + counts(sourceCounts));
            if (sourceCounts.get(Status.RUNNING) > 0 && !o.resetRunning()) {
                throw new AdoptionException(sourceCounts.get(Status.RUNNING) + " rows of " + source + " are running:"
                        + " PyExperimenter leaves the rows of a crashed run running forever. Give --reset-running to"
                        + " copy them as created (to run again); nothing was copied");
            }
            Map<Long, List<Object>> existing = store.rowImport().existingKeys();
            Map<List<Object>, Long> existingByKeys = new HashMap<>();
            existing.forEach((id, keys) -> existingByKeys.put(keys, id));
            Map<List<Object>, Long> seen = new HashMap<>();
            Map<Long, Integer> attemptOf = new HashMap<>();
            for (RowImport.Row r : readRows(c, lines)) {
                List<Object> keys = Arrays.asList(r.keys());
                Long twin = seen.putIfAbsent(keys, r.id());
                if (twin != null) {
                    problem(
                            r.id(),
                            "the same keyfield values as row " + twin + " " + keys + " (keyfields are unique here)");
                    continue;
                }
                List<Object> here = existing.get(r.id());
                if (here != null) {
                    if (here.equals(keys)) {
                        skipped++;
                    } else {
                        problem(r.id(), "id " + r.id() + " is another row here, with keyfields " + here);
                    }
                    continue;
                }
                Long other = existingByKeys.get(keys);
                if (other != null) {
                    problem(r.id(), "its keyfield values " + keys + " are row " + other + " here");
                    continue;
                }
                if (resetIds.contains(r.id())) {
                    reset++;
                }
                rows.add(r);
                attemptOf.put(r.id(), r.attempt());
            }
            for (String l : config.logtables().keySet()) {
                logRows.addAll(readLogRows(c, l, attemptOf, lines));
            }
            energyRows.addAll(readCodeCarbon(c, attemptOf, lines));
        } catch (SQLException e) {
            throw failure("cannot read " + source, e);
        }
        if (!problems.isEmpty()) {
            StringBuilder m = new StringBuilder(problems.size() + " rows of " + source + " cannot be copied into "
                    + config.table() + "; nothing was copied:");
            problems.stream().limit(MAX_LISTED).forEach(p -> m.append("\n  ").append(p));
            if (problems.size() > MAX_LISTED) {
                m.append("\n  ... and ").append(problems.size() - MAX_LISTED).append(" more");
            }
            throw new AdoptionException(m.toString());
        }
        Map<Status, Long> before = store.counts();
        lines.add("table " + config.table() + " before: " + counts(before));
        int copied = store.rowImport().insert(rows, logRows, energyRows);
        Map<Status, Long> after = store.counts();
        lines.add("copied " + copied + " rows" + (reset > 0 ? " (" + reset + " running reset to created)" : "")
                + ", skipped " + skipped + " already here, " + logRows.size() + " log rows; dates read as local time"
                + " in " + o.zone());
        lines.add("table " + config.table() + " after: " + counts(after));
        checkAgreement(sourceCounts, before, after, skipped);
        lines.add("counts agree: every row of " + source + " is in " + config.table()
                + (reset > 0 ? ", its running rows as created" : ""));
        return new Report(sourceCounts, before, after, copied, skipped, reset, logRows.size(), lines);
    }

    /**
     * After = before + the source's rows not skipped, by status (running ones as created). Rows
     * skipped were already here with their status then; they count in before. Anything else
     * means a row was lost or doubled: a bug.
     */
    private void checkAgreement(
            Map<Status, Long> sourceCounts, Map<Status, Long> before, Map<Status, Long> after, int skipped) {
        long expectedTotal = total(before) + total(sourceCounts) - skipped;
        if (total(after) != expectedTotal || after.get(Status.RUNNING) > before.get(Status.RUNNING)) {
            throw new ExperimenterException("after copying " + source + " the table " + config.table() + " has "
                    + total(after) + " rows (" + counts(after) + "), expected " + expectedTotal + "; this is a bug");
        }
        if (skipped == 0) {
            for (Status s : Status.values()) {
                long want = before.get(s)
                        + (s == Status.CREATED
                                ? sourceCounts.get(s) + sourceCounts.get(Status.RUNNING)
                                : s == Status.RUNNING ? 0 : sourceCounts.get(s));
                if (after.get(s) != want) {
                    throw new ExperimenterException("after copying " + source + " the table " + config.table() + " has "
                            + after.get(s) + " " + s.dbName() + " rows, expected " + want + "; this is a bug");
                }
            }
        }
    }

    private Map<Status, Long> sourceCounts(Connection c) throws SQLException {
        Map<Status, Long> out = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            out.put(s, 0L);
        }
        try (PreparedStatement ps = c.prepareStatement(
                        "SELECT status, COUNT(*) FROM " + o.table() + " GROUP BY status ORDER BY status");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String status = rs.getString(1);
                Status s = parseStatus(status);
                if (s == null) {
                    throw new AdoptionException(rs.getLong(2) + " rows of " + source + " have the status '" + status
                            + "', which PyExperimenter 1.4.2 does not write (created, running, done, error,"
                            + " paused); nothing was copied");
                }
                out.put(s, out.get(s) + rs.getLong(2));
            }
        }
        return out;
    }

    private static Status parseStatus(String s) {
        if (s == null) {
            return null;
        }
        for (Status st : Status.values()) {
            if (st.dbName().equals(s)) {
                return st;
            }
        }
        return null;
    }

    private List<RowImport.Row> readRows(Connection c, List<String> lines) throws SQLException {
        List<RowImport.Row> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + o.table() + " ORDER BY ID")) {
            ps.setFetchSize(1_000);
            try (ResultSet rs = ps.executeQuery()) {
                Map<String, Integer> cols = columns(rs.getMetaData(), o.table(), true);
                decimals(rs.getMetaData(), lines);
                while (rs.next()) {
                    RowImport.Row r = readRow(rs, cols);
                    if (r != null) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    /**
     * A note naming the fields MySQL keeps as DECIMAL, with their scale: PyExperimenter's values
     * were rounded to it when written (DECIMAL alone is DECIMAL(10,0)), and they are copied as stored.
     */
    private static void decimals(ResultSetMetaData md, List<String> lines) throws SQLException {
        List<String> fields = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            int type = md.getColumnType(i);
            if (type == Types.DECIMAL || type == Types.NUMERIC) {
                fields.add(md.getColumnLabel(i).toLowerCase(Locale.ROOT) + " (scale " + md.getScale(i) + ")");
            }
        }
        if (!fields.isEmpty()) {
            lines.add("note: " + String.join(", ", fields) + " are DECIMAL there: MySQL rounded PyExperimenter's"
                    + " values to that scale when they were written, and they are copied as stored");
        }
    }

    /** Column name (lower case) to index; the table must have exactly the config's columns. */
    private Map<String, Integer> columns(ResultSetMetaData md, String table, boolean experimentTable)
            throws SQLException {
        Map<String, Integer> cols = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            cols.put(md.getColumnLabel(i).toLowerCase(Locale.ROOT), i);
        }
        if (!experimentTable) {
            return cols;
        }
        List<String> expected = new ArrayList<>(BUILT_IN);
        config.keyfieldNames().forEach(expected::add);
        for (String r : config.resultfields().keySet()) {
            expected.add(r);
            if (config.resultTimestamps()) {
                expected.add(r + "_timestamp");
            }
        }
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(cols.keySet());
        List<String> extra = new ArrayList<>(cols.keySet());
        extra.removeAll(expected);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new AdoptionException("the PyExperimenter table " + source + " does not match " + config.origin()
                    + ": missing " + (missing.isEmpty() ? "none" : String.join(", ", missing)) + "; not in the config "
                    + (extra.isEmpty() ? "none" : String.join(", ", extra))
                    + " (import its config with import-pyexperimenter); nothing was copied");
        }
        return cols;
    }

    private RowImport.Row readRow(ResultSet rs, Map<String, Integer> cols) throws SQLException {
        long id = rs.getLong(cols.get("id"));
        List<Parameter> keyfields = config.keyfields();
        Object[] keys = new Object[keyfields.size()];
        for (int i = 0; i < keys.length; i++) {
            Parameter p = keyfields.get(i);
            Object raw = rs.getObject(cols.get(p.name()));
            if (raw == null && p.type() == FieldType.STRING && o.nullAs() != null) {
                raw = o.nullAs();
            }
            if (raw == null) {
                return problem(
                        id,
                        "keyfield " + p.name() + " is NULL (keyfields here always have a value"
                                + (p.type() == FieldType.STRING ? "; --null-as TEXT stores one instead" : "") + ")");
            }
            keys[i] = convert(raw, p.type());
            if (keys[i] == null) {
                return problem(
                        id, "keyfield " + p.name() + ": expected " + p.type().configName() + ", found " + show(raw));
            }
        }
        int problemsBefore = problems.size();
        String statusText = rs.getString(cols.get("status"));
        Status status = parseStatus(statusText);
        if (status == null) {
            return problem(id, "status " + show(statusText) + " is none of created, running, done, error, paused");
        }
        Instant created = date(rs, cols, "creation_date", id);
        Instant started = date(rs, cols, "start_date", id);
        Instant ended = date(rs, cols, "end_date", id);
        if (problems.size() > problemsBefore) {
            return null;
        }
        if (created == null) {
            return problem(id, "creation_date is NULL");
        }
        Map<String, Object> results = new LinkedHashMap<>();
        Map<String, Instant> times = new LinkedHashMap<>();
        boolean running = status == Status.RUNNING;
        for (Map.Entry<String, FieldType> r : config.resultfields().entrySet()) {
            Object raw = rs.getObject(cols.get(r.getKey()));
            Object v = convert(raw, r.getValue());
            if (raw != null && v == null) {
                return problem(
                        id,
                        "result field " + r.getKey() + ": expected "
                                + r.getValue().configName() + ", found " + show(raw));
            }
            if (v instanceof Double d && d.isInfinite() && !store.dialect().storesInfinity()) {
                return problem(
                        id,
                        "result field " + r.getKey() + ": " + d + " cannot be stored in "
                                + store.dialect().name());
            }
            if (!running) {
                results.put(r.getKey(), v);
            }
            if (config.resultTimestamps() && !running) {
                times.put(r.getKey(), date(rs, cols, r.getKey() + "_timestamp", id));
            }
        }
        String error = rs.getString(cols.get("error"));
        String name = rs.getString(cols.get("name"));
        if (running) {
            // reset to created, as reset does: no results, no dates but the creation, attempt 0
            resetIds.add(id);
            return new RowImport.Row(
                    id, keys, Status.CREATED, created, null, null, null, Map.of(), Map.of(), null, null, 0, null);
        }
        boolean ran = status != Status.CREATED;
        return new RowImport.Row(
                id,
                keys,
                status,
                created,
                ran ? started : null,
                ran ? ended : null,
                rs.getString(cols.get("machine")),
                results,
                times,
                status == Status.ERROR || error != null ? error : null,
                status == Status.ERROR ? "exception" : null,
                ran ? 1 : 0,
                ran ? "pyexperimenter:" + (name == null ? "" : name) : null);
    }

    private List<RowImport.LogRow> readLogRows(
            Connection c, String logtable, Map<Long, Integer> attemptOf, List<String> lines) throws SQLException {
        String table = o.table() + "__" + logtable;
        Map<String, FieldType> declared = config.logtables().get(logtable);
        List<RowImport.LogRow> out = new ArrayList<>();
        int orphans = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + table + " ORDER BY ID")) {
            ps.setFetchSize(1_000);
            try (ResultSet rs = ps.executeQuery()) {
                Map<String, Integer> cols = columns(rs.getMetaData(), table, false);
                List<String> missing = new ArrayList<>(declared.keySet());
                missing.addAll(List.of("experiment_id", "timestamp"));
                missing.removeAll(cols.keySet());
                if (!missing.isEmpty()) {
                    throw new AdoptionException(
                            "the log table " + table + " has no column " + String.join(", ", missing) + " that "
                                    + config.origin() + " declares; nothing was copied");
                }
                while (rs.next()) {
                    long logId = rs.getLong(cols.get("id"));
                    long experiment = rs.getLong(cols.get("experiment_id"));
                    Integer attempt = attemptOf.get(experiment);
                    if (attempt == null || attempt == 0) {
                        orphans++; // of a row skipped, reset, or not in the table: not copied
                        continue;
                    }
                    Instant at = date(rs, cols, "timestamp", experiment);
                    Map<String, Object> values = new LinkedHashMap<>();
                    for (Map.Entry<String, FieldType> d : declared.entrySet()) {
                        Object raw = rs.getObject(cols.get(d.getKey()));
                        Object v = convert(raw, d.getValue());
                        if (raw != null && v == null) {
                            problems.add(table + " row " + logId + ": column " + d.getKey() + ": expected "
                                    + d.getValue().configName() + ", found " + show(raw));
                        }
                        values.put(d.getKey(), v);
                    }
                    if (at == null) {
                        problems.add(table + " row " + logId + ": timestamp is NULL");
                        continue;
                    }
                    out.add(new RowImport.LogRow(logtable, experiment, attempt, at, values));
                }
            }
        } catch (SQLException e) {
            if (!tableExists(c, table)) {
                lines.add("log table " + table + ": not in " + describe(o.from()) + "; nothing to copy");
                return out;
            }
            throw e;
        }
        lines.add("log table " + table + ": " + out.size() + " rows to copy"
                + (orphans > 0 ? ", " + orphans + " not (of rows skipped, reset or missing)" : ""));
        return out;
    }

    /**
     * The rows of PyExperimenter's {@code <table>_codecarbon} (CodeCarbon's EmissionsData per
     * experiment) as energy rows of the attempt each row was copied with. CodeCarbon's
     * {@code *_energy_kw} columns hold kWh; the carbon intensity is its emissions over its energy;
     * the method is {@code codecarbon} (CodeCarbon measured where it could read RAPL or NVML, and
     * used its constants otherwise; its rows do not say which).
     */
    private List<RowImport.EnergyRow> readCodeCarbon(Connection c, Map<Long, Integer> attemptOf, List<String> lines)
            throws SQLException {
        String table = o.table() + "_codecarbon";
        List<RowImport.EnergyRow> out = new ArrayList<>();
        if (!tableExists(c, table)) {
            lines.add("CodeCarbon table " + table + ": not in " + describe(o.from()) + "; nothing to copy");
            return out;
        }
        if (!config.energy().enabled()) {
            lines.add("CodeCarbon table " + table + ": not copied, energy.enabled = false in " + config.origin());
            return out;
        }
        int orphans = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + table + " ORDER BY ID");
                ResultSet rs = ps.executeQuery()) {
            Map<String, Integer> cols = columns(rs.getMetaData(), table, false);
            if (!cols.containsKey("experiment_id") || !cols.containsKey("energy_consumed_kw")) {
                throw new AdoptionException("the CodeCarbon table " + table + " has no experiment_id or"
                        + " energy_consumed_kw column: not PyExperimenter's; nothing was copied");
            }
            while (rs.next()) {
                long experiment = rs.getLong(cols.get("experiment_id"));
                Integer attempt = attemptOf.get(experiment);
                if (attempt == null || attempt == 0) {
                    orphans++; // of a row skipped, reset, or not in the table: not copied
                    continue;
                }
                double energy = number(rs, cols, "energy_consumed_kw", 0.0);
                double emissions = number(rs, cols, "emissions_kg", 0.0);
                Double gpuCount = number(rs, cols, "gpu_count", null);
                String country = text(rs, cols, "country_iso_code");
                out.add(new RowImport.EnergyRow(
                        experiment,
                        attempt,
                        new org.experimenter.energy.Energy(
                                number(rs, cols, "duration_seconds", 0.0),
                                number(rs, cols, "cpu_energy_kw", 0.0),
                                number(rs, cols, "ram_energy_kw", 0.0),
                                number(rs, cols, "gpu_energy_kw", null),
                                energy,
                                emissions,
                                "codecarbon",
                                number(rs, cols, "cpu_power_watt", 0.0),
                                number(rs, cols, "ram_power_watt", 0.0),
                                number(rs, cols, "gpu_power_watt", null),
                                text(rs, cols, "cpu_model"),
                                (int) Math.round(number(rs, cols, "cpu_count", 0.0)),
                                text(rs, cols, "gpu_model"),
                                gpuCount == null ? null : (int) Math.round(gpuCount),
                                number(rs, cols, "ram_total_size", 0.0),
                                country != null ? country : text(rs, cols, "country_name"),
                                energy > 0 ? emissions * 1000 / energy : 0.0,
                                null,
                                null)));
            }
        }
        lines.add("CodeCarbon table " + table + ": " + out.size() + " rows to copy into "
                + org.experimenter.config.TableNames.energy(config.table())
                + (orphans > 0 ? ", " + orphans + " not (of rows skipped, reset or missing)" : ""));
        return out;
    }

    private static Double number(ResultSet rs, Map<String, Integer> cols, String column, Double otherwise)
            throws SQLException {
        Integer i = cols.get(column);
        if (i == null) {
            return otherwise;
        }
        Object v = rs.getObject(i);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String t && !t.isBlank()) {
            try {
                return Double.parseDouble(t.trim());
            } catch (NumberFormatException notANumber) {
                return otherwise;
            }
        }
        return otherwise;
    }

    private static String text(ResultSet rs, Map<String, Integer> cols, String column) throws SQLException {
        Integer i = cols.get(column);
        String t = i == null ? null : rs.getString(i);
        return t == null || t.isBlank() ? null : t;
    }

    private static boolean tableExists(Connection c, String table) throws SQLException {
        try (ResultSet rs = c.getMetaData().getTables(null, null, table, null)) {
            return rs.next();
        }
    }

    /** A date column: PyExperimenter's local-time text (or a MySQL DATETIME) read in the zone. */
    private Instant date(ResultSet rs, Map<String, Integer> cols, String column, long id) throws SQLException {
        String text = rs.getString(cols.get(column));
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            LocalDateTime local = LocalDateTime.parse(text.trim(), DATE);
            // a time in the hour a DST change repeats is taken at its earlier offset
            return local.atZone(o.zone()).toInstant();
        } catch (DateTimeException e) {
            problem(id, column + " " + show(text) + " is not a date yyyy-MM-dd HH:mm:ss");
            return null;
        }
    }

    /** A value of the source as a value of the type, or null when it is none. */
    static Object convert(Object raw, FieldType type) {
        if (raw == null) {
            return null;
        }
        try {
            switch (type) {
                case STRING:
                    if (raw instanceof byte[]) {
                        return null;
                    }
                    if (raw instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
                        return BigDecimal.valueOf(d).toPlainString();
                    }
                    return String.valueOf(raw);
                case BOOLEAN:
                    if (raw instanceof Boolean) {
                        return raw;
                    }
                    if (raw instanceof Number n) {
                        double d = n.doubleValue();
                        return d == 1 ? Boolean.TRUE : d == 0 ? Boolean.FALSE : null;
                    }
                    String text = String.valueOf(raw).trim().toLowerCase(Locale.ROOT);
                    return switch (text) {
                        case "1", "true" -> Boolean.TRUE;
                        case "0", "false" -> Boolean.FALSE;
                        default -> null;
                    };
                case DOUBLE:
                    if (raw instanceof Number n) {
                        return n.doubleValue();
                    }
                    return raw instanceof String t ? Double.parseDouble(t.trim()) : null;
                default:
                    BigDecimal d = raw instanceof Number || raw instanceof String
                            ? new BigDecimal(String.valueOf(raw).trim())
                            : null;
                    if (d == null) {
                        return null;
                    }
                    if (type == FieldType.INT) {
                        return Integer.valueOf(d.intValueExact()); // not in a ?: with a long, which widens it
                    }
                    return Long.valueOf(d.longValueExact());
            }
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    private RowImport.Row problem(long id, String what) {
        problems.add("row " + id + ": " + what);
        return null;
    }

    private static String show(Object raw) {
        String s = String.valueOf(raw);
        return "'" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "'";
    }

    private static long total(Map<Status, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private static String counts(Map<Status, Long> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((s, n) -> parts.add(s.dbName() + " " + n));
        return String.join(", ", parts);
    }

    private String sourceUrl() {
        String f = o.from();
        if (f.startsWith("jdbc:")) {
            return f;
        }
        if (f.startsWith("mysql://") || f.startsWith("mariadb://")) {
            return "jdbc:mariadb://" + f.substring(f.indexOf("://") + 3);
        }
        return "jdbc:sqlite:" + f;
    }

    private static String describe(String from) {
        return from.startsWith("jdbc:") || from.contains("://") ? Redact.url(from) : "the SQLite file " + from;
    }

    /** Whether the source is the config's own table (same database, same name). */
    private boolean sameTable() {
        if (!o.table().equals(config.table())) {
            return false;
        }
        String url = sourceUrl();
        if (url.startsWith("jdbc:sqlite:") && config.url().startsWith("jdbc:sqlite:")) {
            Path a = Path.of(url.substring("jdbc:sqlite:".length()))
                    .toAbsolutePath()
                    .normalize();
            Path b = Path.of(config.url().substring("jdbc:sqlite:".length()))
                    .toAbsolutePath()
                    .normalize();
            return a.equals(b);
        }
        return url.equals(config.url());
    }

    private Connection connectSource() {
        String url = sourceUrl();
        Dialect dialect;
        try {
            dialect = Dialect.forUrl(url);
        } catch (IllegalArgumentException e) {
            throw new ExperimenterException("--from " + describe(o.from()) + ": " + e.getMessage());
        }
        if (url.startsWith("jdbc:sqlite:") && !Files.isRegularFile(Path.of(url.substring("jdbc:sqlite:".length())))) {
            throw new ExperimenterException("--from " + o.from() + ": no such SQLite file");
        }
        Properties p = dialect.connectionProperties(config.connectTimeout(), config.socketTimeout());
        if (url.startsWith("jdbc:sqlite:")) {
            p.setProperty("open_mode", "1"); // read-only: adopting never writes PyExperimenter's file
            p.remove("journal_mode");
        }
        String user = o.user() != null ? o.user() : configCredentials() ? config.user() : null;
        String password = sourcePassword();
        if (user != null && !user.isEmpty()) {
            p.setProperty("user", user);
        }
        if (password != null && !password.isEmpty()) {
            p.setProperty("password", password);
        }
        try {
            return DriverManager.getConnection(url, p);
        } catch (SQLException e) {
            throw failure("cannot connect to " + describe(o.from()), e);
        }
    }

    private String sourcePassword() {
        return o.user() != null ? o.password() : configCredentials() ? config.password() : null;
    }

    /**
     * Whether the config's user and password go to the source: only when it is on the config's
     * own database server (same host and port), never to another host the user named.
     */
    private boolean configCredentials() {
        String here = server(config.url());
        return here != null && here.equals(server(sourceUrl()));
    }

    /** The host and port of a MySQL or MariaDB URL (port 3306 when none), or null for others. */
    static String server(String url) {
        if (!url.startsWith("jdbc:mariadb://") && !url.startsWith("jdbc:mysql://")) {
            return null;
        }
        String rest = url.substring(url.indexOf("://") + 3);
        int end = rest.length();
        for (char c : new char[] {'/', '?', ','}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String hostPort = rest.substring(rest.lastIndexOf('@', end) + 1, end).toLowerCase(Locale.ROOT);
        boolean hasPort = hostPort.startsWith("[") ? hostPort.contains("]:") : hostPort.contains(":");
        return hasPort ? hostPort : hostPort + ":3306";
    }

    private ExperimenterException failure(String what, SQLException e) {
        String password = o.user() != null ? o.password() : config.password();
        return new ExperimenterException(what + ": " + Redact.text(e.getMessage(), sourceUrl(), password)
                + (o.user() == null && !configCredentials() && !sourceUrl().startsWith("jdbc:sqlite:")
                        ? " (the config's user and password go only to its own database server; give --from-user)"
                        : ""));
    }
}
