package org.experimenter.pyexperimenter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A table written the way PyExperimenter 1.4.2 writes it (database_connector.py
 * _get_create_table_query and _compute_columns; utils.get_timestamp_representation for dates):
 * no UNIQUE key, every column DEFAULT NULL, dates as local-time text without a zone.
 */
final class PyExperimenterTable {
    final String table;
    final boolean mysql;
    final Map<String, String> keyfields;
    final Map<String, String> resultfields;
    final boolean resultTimestamps;

    PyExperimenterTable(
            String table,
            boolean mysql,
            Map<String, String> keyfields,
            Map<String, String> resultfields,
            boolean resultTimestamps) {
        this.table = table;
        this.mysql = mysql;
        this.keyfields = keyfields;
        this.resultfields = resultfields;
        this.resultTimestamps = resultTimestamps;
    }

    /** Its CREATE TABLE: keyfields, its metadata columns, result fields (and _timestamp), end_date, error. */
    void create(Connection c, Map<String, Map<String, String>> logtables) throws SQLException {
        Map<String, String> columns = new LinkedHashMap<>(keyfields);
        columns.put("creation_date", "DATETIME");
        columns.put("status", "VARCHAR(255)");
        columns.put("start_date", "DATETIME");
        columns.put("name", "LONGTEXT");
        columns.put("machine", "VARCHAR(255)");
        for (Map.Entry<String, String> r : resultfields.entrySet()) {
            columns.put(r.getKey(), r.getValue());
            if (resultTimestamps) {
                columns.put(r.getKey() + "_timestamp", "VARCHAR(255)");
            }
        }
        columns.put("end_date", "DATETIME");
        columns.put("error", "LONGTEXT");
        try (Statement s = c.createStatement()) {
            s.execute(createQuery(columns, table, false));
            for (Map.Entry<String, Map<String, String>> l : logtables.entrySet()) {
                s.execute(createQuery(l.getValue(), table + "__" + l.getKey(), true));
            }
        }
    }

    private String createQuery(Map<String, String> columns, String name, boolean logtable) {
        List<String> cols = new ArrayList<>();
        columns.forEach((f, t) -> cols.add(f + " " + t + " DEFAULT NULL"));
        String q = "CREATE TABLE " + name + " (ID INTEGER PRIMARY KEY " + (mysql ? "AUTO_INCREMENT" : "AUTOINCREMENT");
        if (logtable) {
            q += ", experiment_id INTEGER, timestamp DATETIME, " + String.join(",", cols)
                    + ", FOREIGN KEY (experiment_id) REFERENCES " + table + "(ID) ON DELETE CASCADE";
        } else {
            q += ", " + String.join(",", cols);
        }
        return q + ");";
    }

    /** fill_table: keyfield values, creation_date and status 'created'. */
    void fill(Connection c, String time, List<List<Object>> rows) throws SQLException {
        List<String> cols = new ArrayList<>(keyfields.keySet());
        cols.add("creation_date");
        cols.add("status");
        String marks = String.join(", ", java.util.Collections.nCopies(cols.size(), "?"));
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO " + table + " (" + String.join(",", cols) + ") VALUES (" + marks + ")")) {
            for (List<Object> r : rows) {
                int i = 1;
                for (Object v : r) {
                    ps.setObject(i++, v);
                }
                ps.setString(i++, time);
                ps.setString(i, "created");
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** update_database: SET the given columns WHERE ID = id, as the result processor does. */
    void update(Connection c, long id, Map<String, Object> values) throws SQLException {
        List<String> set = new ArrayList<>();
        values.keySet().forEach(k -> set.add(k + " = ?"));
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE " + table + " SET " + String.join(", ", set) + " WHERE ID = " + id)) {
            int i = 1;
            for (Object v : values.values()) {
                ps.setObject(i++, v);
            }
            ps.executeUpdate();
        }
    }

    /** process_logs: one row of a log table with experiment_id and timestamp. */
    void log(Connection c, String logtable, long id, String time, Map<String, Object> values) throws SQLException {
        List<String> cols = new ArrayList<>(values.keySet());
        cols.add("experiment_id");
        cols.add("timestamp");
        String marks = String.join(",", java.util.Collections.nCopies(cols.size(), "?"));
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + "__" + logtable + " ("
                + String.join(", ", cols) + ") VALUES (" + marks + ")")) {
            int i = 1;
            for (Object v : values.values()) {
                ps.setObject(i++, v);
            }
            ps.setString(i++, String.valueOf(id));
            ps.setString(i, time);
            ps.executeUpdate();
        }
    }

    /**
     * Its {@code <table>_codecarbon} table (utils.extract_codecarbon_columns, created with
     * table_type "codecarbon"), which PyExperimenter creates when use_codecarbon is on (the default).
     */
    void createCodeCarbon(Connection c) throws SQLException {
        String[] cols = {
            "codecarbon_timestamp DATETIME",
            "project_name VARCHAR(255)",
            "run_id VARCHAR(255)",
            "duration_seconds DOUBLE",
            "emissions_kg DOUBLE",
            "emissions_rate_kg_sec DOUBLE",
            "cpu_power_watt DOUBLE",
            "gpu_power_watt DOUBLE",
            "ram_power_watt DOUBLE",
            "cpu_energy_kw DOUBLE",
            "gpu_energy_kw DOUBLE",
            "ram_energy_kw DOUBLE",
            "energy_consumed_kw DOUBLE",
            "country_name VARCHAR(255)",
            "country_iso_code VARCHAR(255)",
            "region VARCHAR(255)",
            "cloud_provider VARCHAR(255)",
            "cloud_region VARCHAR(255)",
            "os VARCHAR(255)",
            "python_version VARCHAR(255)",
            "codecarbon_version VARCHAR(255)",
            "cpu_count DOUBLE",
            "cpu_model VARCHAR(255)",
            "gpu_count DOUBLE",
            "gpu_model VARCHAR(255)",
            "longitude VARCHAR(255)",
            "latitude VARCHAR(255)",
            "ram_total_size DOUBLE",
            "tracking_mode VARCHAR(255)",
            "on_cloud VARCHAR(255)",
            "power_usage_efficiency DOUBLE",
            "offline_mode BOOL"
        };
        List<String> withDefault = new ArrayList<>();
        for (String col : cols) {
            withDefault.add(col + " DEFAULT NULL");
        }
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + "_codecarbon (ID INTEGER PRIMARY KEY "
                    + (mysql ? "AUTO_INCREMENT" : "AUTOINCREMENT") + ", experiment_id INTEGER, "
                    + String.join(",", withDefault) + ", FOREIGN KEY (experiment_id) REFERENCES " + table
                    + "(ID) ON DELETE CASCADE);");
        }
    }

    /** ResultProcessor._write_emissions: one row of EmissionsData for an experiment. */
    void codecarbon(Connection c, long id, Map<String, Object> values) throws SQLException {
        List<String> cols = new ArrayList<>(values.keySet());
        cols.add("experiment_id");
        String marks = String.join(",", java.util.Collections.nCopies(cols.size(), "?"));
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO " + table + "_codecarbon (" + String.join(", ", cols) + ") VALUES (" + marks + ")")) {
            int i = 1;
            for (Object v : values.values()) {
                ps.setObject(i++, v);
            }
            ps.setLong(i, id);
            ps.executeUpdate();
        }
    }

    void drop(Connection c, List<String> logtables) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table + "_codecarbon");
            for (String l : logtables) {
                s.execute("DROP TABLE IF EXISTS " + table + "__" + l);
            }
            s.execute("DROP TABLE IF EXISTS " + table);
        }
    }
}
