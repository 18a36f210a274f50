package org.experimenter.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.experimenter.ExperimenterException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.spark.SparkTables;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.Where;

/**
 * Writes the experiment table, its log tables, its energy table and its artifacts listing to files
 * for pandas and notebooks: one file per table, {@code <dir>/<table>.parquet} or {@code
 * <dir>/<table>.csv}.
 *
 * <pre>{@code
 * List<Exporter.Written> files = new Exporter(spark, config).export(Path.of("out"), Exporter.Format.PARQUET, null);
 * // pandas: pd.read_parquet("out/knn_example.parquet")
 * }</pre>
 */
public final class Exporter {
    /** The file formats of an export. */
    public enum Format {
        /** Parquet: types kept, timestamps as microseconds since the epoch (UTC). */
        PARQUET,
        /** CSV with a header line; timestamps as ISO-8601 with offset. */
        CSV;

        /** The file name extension, without the dot. */
        public String extension() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code parquet} or {@code csv}, ignoring case. */
        public static Format parse(String name) {
            for (Format f : values()) {
                if (f.name().equalsIgnoreCase(name.trim())) {
                    return f;
                }
            }
            throw new ExperimenterException("unknown export format '" + name + "'; expected parquet or csv");
        }
    }

    /** One file written: the table it holds, where it is, how many rows. */
    public static final class Written {
        private final String table;
        private final Path file;
        private final long rows;

        Written(String table, Path file, long rows) {
            this.table = table;
            this.file = file;
            this.rows = rows;
        }

        public String table() {
            return table;
        }

        public Path file() {
            return file;
        }

        public long rows() {
            return rows;
        }
    }

    private final SparkSession spark;
    private final ExperimentConfig config;

    public Exporter(SparkSession spark, ExperimentConfig config) {
        this.spark = spark;
        this.config = config;
    }

    /**
     * Exports the experiment table, every log table found (tables named {@code <table>__*}), then
     * the energy table and the artifacts listing when they exist, replacing earlier exports of the
     * same tables in {@code dir}.
     *
     * @param where a Spark SQL condition narrowing the rows of the experiment table, or null; the
     *     energy and artifacts rows are narrowed to the exported rows, log tables are exported whole
     */
    public List<Written> export(Path dir, Format format, String where) {
        return export(dir, format, where, null);
    }

    /**
     * The same, with the experiment table's rows narrowed to one stage as well (1: the grid; null
     * for all), composed with the condition as one checked condition.
     */
    public List<Written> export(Path dir, Format format, String where, Integer stage) {
        List<Written> out = new ArrayList<>();
        String ts = "spark.sql.parquet.outputTimestampType";
        String previous = spark.conf().get(ts);
        // pandas and pyarrow read INT96 timestamps poorly; microseconds are the portable choice
        spark.conf().set(ts, "TIMESTAMP_MICROS");
        try {
            Dataset<Row> all = SparkTables.table(spark, config);
            Where condition = new ExperimentStore(config).where(where, stage);
            Dataset<Row> table = condition == null
                    ? all
                    : SqlErrors.translate(
                            where == null || where.isBlank() ? "" : "--where \"" + where + "\": ",
                            () -> all.where(WhereColumn.of(condition)));
            out.add(write(config.table(), table, dir, format));
            for (String log : SparkTables.logTables(config)) {
                out.add(write(log, SparkTables.other(spark, config, log), dir, format));
            }
            // the energy table and the artifacts listing, keyed by the row's id: only the exported rows'
            ExperimentStore store = new ExperimentStore(config);
            for (String keyed :
                    List.of(store.schema().energyTable(), store.schema().artifactsTable())) {
                if (store.columnsOf(keyed).isEmpty()) {
                    continue; // a table of an earlier version gets it at its next fill or run
                }
                Dataset<Row> rows = SparkTables.other(spark, config, keyed);
                if (condition != null) {
                    rows = rows.join(table.select("id"), rows.col("id").equalTo(table.col("id")), "left_semi");
                }
                out.add(write(keyed, rows, dir, format));
            }
        } finally {
            spark.conf().set(ts, previous);
        }
        return out;
    }

    private Written write(String name, Dataset<Row> df, Path dir, Format format) {
        Path file = dir.resolve(name + "." + format.extension());
        spark.sparkContext().setJobDescription("experimenter export: table " + name + " to " + file);
        try {
            SqlErrors.translate("", () -> {
                TableWriter.writeSingleFile(df, format.extension(), file);
                return null;
            });
            long rows = SqlErrors.translate(
                    "",
                    () -> TableWriter.readBack(spark, format.extension(), file).count());
            return new Written(name, file, rows);
        } finally {
            spark.sparkContext().setJobDescription(null);
        }
    }
}
