package org.experimenter.pyexperimenter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.config.TableNames;
import org.experimenter.energy.Energy;
import org.experimenter.store.RowImport;

/**
 * The rows of PyExperimenter's {@code <table>_codecarbon} (CodeCarbon's EmissionsData per
 * experiment) as energy rows of the attempt each row was copied with. CodeCarbon's
 * {@code *_energy_kw} columns hold kWh; the carbon intensity is its emissions over its energy;
 * the method is {@code codecarbon} (CodeCarbon measured where it could read RAPL or NVML, and
 * used its constants otherwise; its rows do not say which).
 */
final class CodeCarbonTable {
    private CodeCarbonTable() {}

    static List<RowImport.EnergyRow> read(
            Connection c,
            ExperimentConfig config,
            String sourceTable,
            SourceDatabase from,
            Map<Long, Integer> attemptOf,
            List<String> lines)
            throws SQLException {
        String table = sourceTable + "_codecarbon";
        List<RowImport.EnergyRow> out = new ArrayList<>();
        if (!SourceDatabase.tableExists(c, table)) {
            lines.add("CodeCarbon table " + table + ": not in " + from.describe() + "; nothing to copy");
            return out;
        }
        if (!config.energy().enabled()) {
            lines.add("CodeCarbon table " + table + ": not copied, energy.enabled = false in " + config.origin());
            return out;
        }
        int orphans = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + table + " ORDER BY ID");
                ResultSet rs = ps.executeQuery()) {
            Map<String, Integer> cols = SourceTable.columns(rs.getMetaData());
            if (!cols.containsKey("experiment_id") || !cols.containsKey("energy_consumed_kw")) {
                throw new TableAdoption.AdoptionException("the CodeCarbon table " + table + " has no experiment_id or"
                        + " energy_consumed_kw column: not PyExperimenter's; nothing was copied");
            }
            while (rs.next()) {
                long experiment = rs.getLong(cols.get("experiment_id"));
                Integer attempt = attemptOf.get(experiment);
                if (attempt == null || attempt == 0) {
                    orphans++; // of a row skipped, reset, or not in the table: not copied
                    continue;
                }
                out.add(new RowImport.EnergyRow(experiment, attempt, energy(rs, cols)));
            }
        }
        lines.add("CodeCarbon table " + table + ": " + out.size() + " rows to copy into "
                + TableNames.energy(config.table())
                + (orphans > 0 ? ", " + orphans + " not (of rows skipped, reset or missing)" : ""));
        return out;
    }

    private static Energy energy(ResultSet rs, Map<String, Integer> cols) throws SQLException {
        double energy = number(rs, cols, "energy_consumed_kw", 0.0);
        double emissions = number(rs, cols, "emissions_kg", 0.0);
        Double gpuCount = number(rs, cols, "gpu_count", null);
        String country = text(rs, cols, "country_iso_code");
        return new Energy(
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
                null);
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
}
