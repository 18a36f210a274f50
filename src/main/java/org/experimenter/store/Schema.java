package org.experimenter.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.experimenter.FieldType;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.config.HalvingSettings;
import org.experimenter.config.TableNames;
import org.experimenter.grid.Parameter;
import org.experimenter.store.dialect.Dialect;

/**
 * Every table the tool keeps for one experiment config, and its DDL, in one place:
 * the experiment table, {@code <table>__attempts} (one row per attempt) and one
 * {@code <table>__<name>} per declared log table.
 */
public final class Schema implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final ExperimentConfig config;
    private final Dialect dialect;

    /** The stage of the grid's rows: every row a fill adds, and the rows tables had before stages. */
    public static final int GRID_STAGE = 1;

    public Schema(ExperimentConfig config, Dialect dialect) {
        this.config = config;
        this.dialect = dialect;
    }

    public String table() {
        return config.table();
    }

    public String attemptsTable() {
        return TableNames.attempts(config.table());
    }

    public String energyTable() {
        return TableNames.energy(config.table());
    }

    public String artifactsTable() {
        return TableNames.artifacts(config.table());
    }

    public String logTable(String name) {
        return TableNames.logTable(config.table(), name);
    }

    /** Column name to SQL type of the experiment table, in order. */
    public LinkedHashMap<String, String> columns() {
        String ts = dialect.timestampType();
        String text = dialect.textType();
        List<FieldType> keyTypes = keyfieldTypes();
        LinkedHashMap<String, String> c = new LinkedHashMap<>();
        c.put("id", dialect.idColumn());
        for (Parameter p : config.keyfields()) {
            c.put(p.name(), dialect.keyfieldType(p.type(), keyTypes) + " NOT NULL");
        }
        c.put("status", "VARCHAR(16) NOT NULL DEFAULT " + StatusLiterals.CREATED);
        c.put("creation_date", ts + " NOT NULL");
        c.put("start_date", ts);
        c.put("end_date", ts);
        c.put("machine", text);
        for (Map.Entry<String, FieldType> r : config.resultfields().entrySet()) {
            c.put(r.getKey(), dialect.sqlType(r.getValue()));
            if (config.resultTimestamps()) {
                c.put(r.getKey() + "_timestamp", ts);
            }
        }
        c.put("error", text);
        c.put("error_kind", "VARCHAR(16)");
        c.put("attempt", "INTEGER NOT NULL DEFAULT 0");
        c.put("run_id", text);
        c.put("spark_app", text);
        c.put("executor", text);
        c.put("wall_time", dialect.sqlType(FieldType.DOUBLE));
        c.put("cpu_time", dialect.sqlType(FieldType.DOUBLE));
        c.put("allocated_bytes", "BIGINT");
        c.put("experiment_class", text);
        c.put("claim_token", text);
        c.put("heartbeat", "BIGINT");
        c.putAll(addedLater());
        return c;
    }

    /**
     * The kind of every column of the experiment table, in order, for the {@code --where} rule:
     * keyfields and result fields by their declared type, the tool's own columns by what they hold.
     */
    public LinkedHashMap<String, WhereExpr.Kind> columnKinds() {
        Map<String, FieldType> declared = new LinkedHashMap<>();
        config.keyfields().forEach(p -> declared.put(p.name(), p.type()));
        declared.putAll(config.resultfields());
        LinkedHashMap<String, WhereExpr.Kind> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> c : columns().entrySet()) {
            FieldType t = declared.get(c.getKey());
            String sqlType = c.getValue();
            WhereExpr.Kind kind;
            if (t != null) {
                kind = switch (t) {
                    case INT, LONG -> WhereExpr.Kind.INTEGER;
                    case DOUBLE -> WhereExpr.Kind.REAL;
                    case BOOLEAN -> WhereExpr.Kind.BOOLEAN;
                    default -> WhereExpr.Kind.TEXT;
                };
            } else if (c.getKey().endsWith("_date") || c.getKey().endsWith("_timestamp")) {
                kind = WhereExpr.Kind.TIME;
            } else if (c.getKey().equals("wall_time") || c.getKey().equals("cpu_time")) {
                kind = WhereExpr.Kind.REAL;
            } else if (c.getKey().equals("id") || sqlType.startsWith("INTEGER") || sqlType.startsWith("BIGINT")) {
                kind = WhereExpr.Kind.INTEGER;
            } else {
                kind = WhereExpr.Kind.TEXT;
            }
            out.put(c.getKey(), kind);
        }
        return out;
    }

    private List<FieldType> keyfieldTypes() {
        List<FieldType> types = new ArrayList<>();
        config.keyfields().forEach(p -> types.add(p.type()));
        return types;
    }

    /**
     * The most characters a string keyfield holds here ({@link Integer#MAX_VALUE}: no limit);
     * fills refuse longer values before sending them.
     */
    public int keyTextLength() {
        return dialect.keyTextLength(keyfieldTypes());
    }

    /**
     * Columns that tables made by earlier versions lack; {@link TableSetup} adds them. Each is
     * nullable or has a default, and is appended at the end of the table. {@code lease_ms} of the
     * experiment table: the lease the claim was taken with, so that recovery by a run with another
     * config judges a row by its own claim's lease. {@code stage}: the stage a row belongs to, 1
     * for the grid (the default, which rows already in an older table take when the column is
     * added), 2 and up for rows a follow-up stage added ({@code promote}); {@code parent_id}: the
     * row a follow-up row was derived from, NULL for the grid's rows.
     */
    public LinkedHashMap<String, String> addedLater() {
        LinkedHashMap<String, String> c = new LinkedHashMap<>();
        c.put("lease_ms", "BIGINT");
        c.put("stage", "INTEGER NOT NULL DEFAULT " + GRID_STAGE);
        c.put("parent_id", "BIGINT");
        // successive halving: whether a rung promoted or stopped the row (parent_id: the row it came from)
        c.put("halving", "VARCHAR(16)");
        // Hyperband: the bracket s a row belongs to (NULL with one bracket: successive halving alone)
        c.put("bracket", "INTEGER");
        return c;
    }

    /**
     * The same for log tables, per table: {@code attempt}, the attempt that wrote a log row, so
     * rows of a lost or timed-out attempt are told from the rerun's.
     */
    public LinkedHashMap<String, Map<String, String>> addedLaterToLogTables() {
        LinkedHashMap<String, Map<String, String>> out = new LinkedHashMap<>();
        for (String l : config.logtables().keySet()) {
            out.put(logTable(l), Map.of("attempt", "INTEGER"));
        }
        return out;
    }

    /**
     * The same for the attempts table: {@code resources}, what the attempt was given (gpus, cpus,
     * memory of the config's resources section, escalated after running out of memory); and where
     * each attempt's result came from (config hash, code version and whether its work tree had
     * changes, runtime version, Python package versions).
     */
    public LinkedHashMap<String, String> addedLaterToAttempts() {
        String text = dialect.textType();
        LinkedHashMap<String, String> c = new LinkedHashMap<>();
        c.put("resources", text);
        c.put("config_hash", "VARCHAR(64)");
        c.put("code_version", text);
        c.put("code_dirty", "INTEGER");
        c.put("runtime_version", text);
        c.put("packages", text);
        return c;
    }

    /** The columns of the energy table ({@link org.experimenter.energy.Energy#COLUMNS} after id and attempt). */
    public LinkedHashMap<String, String> energyColumns() {
        String text = dialect.textType();
        String dbl = dialect.sqlType(FieldType.DOUBLE);
        LinkedHashMap<String, String> c = new LinkedHashMap<>();
        c.put("id", "BIGINT NOT NULL REFERENCES " + config.table() + " (id) ON DELETE CASCADE");
        c.put("attempt", "INTEGER NOT NULL");
        for (String col : org.experimenter.energy.Energy.COLUMNS) {
            String type = switch (col) {
                case "method" -> "VARCHAR(16) NOT NULL";
                case "cpu_model", "gpu_model", "country" -> text;
                case "cpu_count", "gpu_count" -> "INTEGER";
                default -> dbl;
            };
            c.put(col, type);
        }
        return c;
    }

    /**
     * With a halving section, the columns of the index through which a worker reads one rung of
     * one group (budget, the by keyfields, status): ASHA's promotion decision after each write
     * then costs a rung, not the table. Null without halving.
     */
    private String rungIndexColumns() {
        HalvingSettings h = config.halving();
        if (h == null) {
            return null;
        }
        List<String> cols = new ArrayList<>();
        cols.add(h.field());
        cols.addAll(h.by());
        cols.add("status");
        return String.join(", ", cols);
    }

    /**
     * Indexes of the experiment table made by later versions than some tables, by name, with
     * the statement that adds one to an older table. Only databases without partial indexes
     * (MySQL, MariaDB) need it: they make their indexes inside CREATE TABLE, which an older
     * table skips, while the others run CREATE INDEX IF NOT EXISTS each time the table is
     * opened ({@link #createStatements}).
     */
    public Map<String, String> indexesAddedLater() {
        Map<String, String> out = new LinkedHashMap<>();
        if (!dialect.supportsPartialIndexes() && rungIndexColumns() != null) {
            String t = config.table();
            out.put(t + "_rung_idx", "CREATE INDEX " + t + "_rung_idx ON " + t + " (" + rungIndexColumns() + ")");
        }
        return out;
    }

    /** The statements that create every table and index, each guarded by IF NOT EXISTS. */
    public List<String> createStatements() {
        String t = config.table();
        String text = dialect.textType();
        boolean partial = dialect.supportsPartialIndexes();
        List<String> out = new ArrayList<>();
        StringBuilder b = new StringBuilder("CREATE TABLE IF NOT EXISTS " + t + " (");
        for (Map.Entry<String, String> c : columns().entrySet()) {
            b.append("\n  ")
                    .append(c.getKey().equals("id") ? c.getValue() : c.getKey() + " " + c.getValue())
                    .append(",");
        }
        b.append("\n  CONSTRAINT ")
                .append(t)
                .append("_keys UNIQUE (")
                .append(String.join(", ", config.keyfieldNames()))
                .append(")");
        if (partial) {
            out.add(b.append("\n)")
                    .append(config.halving() == null ? "" : dialect.halvingTableOptions())
                    .toString());
            out.add("CREATE INDEX IF NOT EXISTS " + t + "_status_idx ON " + t + " (status, id)");
            // partial: done and created rows carry no token, so a fill of millions of rows costs nothing here
            out.add("CREATE INDEX IF NOT EXISTS " + t + "_claim_idx ON " + t
                    + " (claim_token) WHERE claim_token IS NOT NULL");
            // open rows in id order, for claims: rows are done from the low ids up, and with statistics
            // from the fill (all created) PostgreSQL would otherwise walk the primary key through every
            // done row to find the first open ones, on every claim
            out.add("CREATE INDEX IF NOT EXISTS " + t + "_open_idx ON " + t + " (id) WHERE status = "
                    + StatusLiterals.CREATED);
            // open rows that ran before (released by a stopped run, recovered from a lost executor):
            // workers look for them between claims, and among a million open rows they are few (SQLite
            // picks this index over the status index only when it starts with status as well)
            out.add("CREATE INDEX IF NOT EXISTS " + t + "_returned_idx ON " + t + " (status, id) WHERE status = "
                    + StatusLiterals.CREATED + " AND run_id IS NOT NULL");
            if (rungIndexColumns() != null) {
                out.add("CREATE INDEX IF NOT EXISTS " + t + "_rung_idx ON " + t + " (" + rungIndexColumns() + ")");
            }
        } else {
            // Without partial indexes (MySQL, MariaDB), inside CREATE TABLE: MySQL has no CREATE
            // INDEX IF NOT EXISTS. The status index also serves claims (open rows in id order:
            // InnoDB's secondary indexes end in the primary key), so there is no _open_idx; the
            // returned rows are those of the status index whose run_id is set.
            b.append(",\n  INDEX ").append(t).append("_status_idx (status, id)");
            b.append(",\n  INDEX ").append(t).append("_claim_idx (").append(dialect.indexedText("claim_token"));
            b.append("),\n  INDEX ").append(t).append("_returned_idx (status, ");
            b.append(dialect.indexedText("run_id")).append(", id)");
            if (rungIndexColumns() != null) {
                b.append(",\n  INDEX ")
                        .append(t)
                        .append("_rung_idx (")
                        .append(rungIndexColumns())
                        .append(")");
            }
            out.add(b.append("\n)").append(dialect.tableOptions()).toString());
        }

        String ts = dialect.timestampType();
        String attempts = "CREATE TABLE IF NOT EXISTS " + attemptsTable() + " (\n  " + dialect.idColumn()
                + ",\n  experiment_id BIGINT NOT NULL REFERENCES " + t + " (id) ON DELETE CASCADE,"
                + "\n  attempt INTEGER NOT NULL,\n  run_id " + text + ",\n  spark_app " + text + ",\n  machine "
                + text + ",\n  executor " + text + ",\n  start_date " + ts + ",\n  end_date " + ts
                + ",\n  outcome VARCHAR(16) NOT NULL,\n  error " + text;
        for (Map.Entry<String, String> later : addedLaterToAttempts().entrySet()) {
            attempts += ",\n  " + later.getKey() + " " + later.getValue();
        }
        if (partial) {
            out.add(attempts + "\n)");
            out.add("CREATE INDEX IF NOT EXISTS " + attemptsTable() + "_exp_idx ON " + attemptsTable()
                    + " (experiment_id)");
        } else {
            out.add(attempts + ",\n  INDEX " + attemptsTable() + "_exp_idx (experiment_id)\n)"
                    + dialect.tableOptions());
        }
        if (config.energy().enabled()) {
            String e = energyTable();
            StringBuilder eb = new StringBuilder("CREATE TABLE IF NOT EXISTS " + e + " (");
            String sep = "\n  ";
            for (Map.Entry<String, String> c : energyColumns().entrySet()) {
                eb.append(sep).append(c.getKey()).append(" ").append(c.getValue());
                sep = ",\n  ";
            }
            if (partial) {
                out.add(eb.append("\n)").toString());
                out.add("CREATE INDEX IF NOT EXISTS " + e + "_exp_idx ON " + e + " (id)");
            } else {
                out.add(eb.append(",\n  INDEX ")
                        .append(e)
                        .append("_exp_idx (id)\n)")
                        .append(dialect.tableOptions())
                        .toString());
            }
        }
        // the files of each attempt's artifact folder, made for every table (older ones get it here)
        String artifacts = "CREATE TABLE IF NOT EXISTS " + artifactsTable() + " (\n  id BIGINT NOT NULL REFERENCES "
                + t + " (id) ON DELETE CASCADE,\n  attempt INTEGER NOT NULL,\n  path " + text
                + " NOT NULL,\n  bytes BIGINT NOT NULL,\n  sha256 VARCHAR(64) NOT NULL";
        if (partial) {
            out.add(artifacts + "\n)");
            out.add("CREATE INDEX IF NOT EXISTS " + artifactsTable() + "_id_idx ON " + artifactsTable()
                    + " (id, attempt)");
        } else {
            out.add(artifacts + ",\n  INDEX " + artifactsTable() + "_id_idx (id, attempt)\n)" + dialect.tableOptions());
        }
        for (Map.Entry<String, Map<String, FieldType>> l : config.logtables().entrySet()) {
            String name = logTable(l.getKey());
            StringBuilder lb = new StringBuilder("CREATE TABLE IF NOT EXISTS " + name + " (\n  " + dialect.idColumn()
                    + ",\n  experiment_id BIGINT NOT NULL REFERENCES " + t
                    + " (id) ON DELETE CASCADE,\n  attempt INTEGER,"
                    + "\n  timestamp " + ts + " NOT NULL");
            for (Map.Entry<String, FieldType> c : l.getValue().entrySet()) {
                lb.append(",\n  ").append(c.getKey()).append(" ").append(dialect.sqlType(c.getValue()));
            }
            if (partial) {
                out.add(lb.append("\n)").toString());
                out.add("CREATE INDEX IF NOT EXISTS " + name + "_exp_idx ON " + name + " (experiment_id)");
            } else {
                lb.append(",\n  INDEX ").append(name).append("_exp_idx (experiment_id)\n)");
                out.add(lb.append(dialect.tableOptions()).toString());
            }
        }
        return out;
    }

    /** Tables to drop, dependents first. */
    public List<String> allTablesDependentsFirst() {
        List<String> out = new ArrayList<>();
        for (String l : config.logtables().keySet()) {
            out.add(logTable(l));
        }
        out.add(attemptsTable());
        out.add(energyTable());
        out.add(artifactsTable());
        out.add(config.table());
        return out;
    }
}
