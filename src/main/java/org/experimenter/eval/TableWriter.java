package org.experimenter.eval;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.experimenter.ExperimenterException;

/**
 * Writes results in a {@link TableFormat}: text to a stream or a file, Parquet and Spark CSV to
 * a single file (not Spark's directory of parts, so that pandas reads it as it is).
 */
public final class TableWriter {
    private static final Logger LOG = Logger.getLogger(TableWriter.class.getName());

    private TableWriter() {}

    /**
     * Writes a small table. Text goes to {@code out} when {@code output} is null, else to the file
     * (parent folders created); Parquet needs {@code output}.
     *
     * @return the file written, or null when the text went to {@code out}
     */
    public static Path write(
            SparkSession spark, ResultTable t, TableFormat format, int precision, Path output, PrintStream out) {
        if (format.isText()) {
            return writeText(format.render(t, precision), output, out);
        }
        requireOutput(format, output);
        writeSingleFile(toDataFrame(spark, t), "parquet", output);
        return output;
    }

    /**
     * Writes a Spark result: Parquet straight from Spark (any size); the text formats collect it
     * on the driver first.
     *
     * @return the file written, or null when the text went to {@code out}
     */
    public static Path write(
            SparkSession spark, Dataset<Row> df, TableFormat format, int precision, Path output, PrintStream out) {
        if (format.isText()) {
            return writeText(format.render(ResultTable.of(df), precision), output, out);
        }
        requireOutput(format, output);
        writeSingleFile(df, "parquet", output);
        return output;
    }

    private static void requireOutput(TableFormat format, Path output) {
        if (output == null) {
            throw new ExperimenterException(format.name().toLowerCase(java.util.Locale.ROOT)
                    + " is a binary format: give --output FILE to write it");
        }
    }

    /** Writes text to {@code out} when {@code output} is null, else to the file; returns the file or null. */
    public static Path writeText(String text, Path output, PrintStream out) {
        if (output == null) {
            out.print(text);
            out.flush();
            return null;
        }
        try {
            createParent(output);
            Files.writeString(output, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ExperimenterException("cannot write " + output + ": " + e.getMessage(), e);
        }
        return output;
    }

    /**
     * Writes a DataFrame as one file in a Spark data source format ({@code parquet}, {@code csv})
     * at {@code target}, replacing an earlier file there. Spark writes a folder of parts; this
     * writes one part into a scratch folder beside the target and moves it into place.
     */
    static void writeSingleFile(Dataset<Row> df, String sourceFormat, Path target) {
        Path abs = target.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new ExperimenterException(
                    "cannot write " + target + ": it is a folder; name a file such as results." + sourceFormat);
        }
        Path scratch = abs.resolveSibling("." + abs.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            createParent(abs);
            org.apache.spark.sql.DataFrameWriter<Row> w = df.coalesce(1).write().format(sourceFormat);
            if (sourceFormat.equals("csv")) {
                // RFC 4180 quoting (Spark's default escapes quotes with a backslash, which pandas misreads)
                w = w.option("header", "true")
                        .option("escape", "\"")
                        .option("timestampFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
            }
            w.save(scratch.toString());
            Path part = null;
            try (DirectoryStream<Path> parts = Files.newDirectoryStream(scratch, "part-*")) {
                for (Path p : parts) {
                    if (part != null) {
                        throw new IllegalStateException(
                                "Spark wrote more than one part into " + scratch + "; this is a bug");
                    }
                    part = p;
                }
            }
            if (part == null) {
                throw new IllegalStateException("Spark wrote no part into " + scratch + "; this is a bug");
            }
            Files.move(part, abs, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ExperimenterException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteRecursively(scratch);
        }
    }

    /** Reads a file written by {@link #writeSingleFile} (CSV values may span lines: stack traces). */
    static Dataset<Row> readBack(SparkSession spark, String sourceFormat, Path file) {
        org.apache.spark.sql.DataFrameReader r = spark.read().format(sourceFormat);
        if (sourceFormat.equals("csv")) {
            r = r.option("header", "true").option("escape", "\"").option("multiLine", "true");
        }
        return r.load(file.toString());
    }

    /** A DataFrame of a small table, each column's type taken from its first value. */
    static Dataset<Row> toDataFrame(SparkSession spark, ResultTable t) {
        List<StructField> fields = new ArrayList<>();
        List<DataType> types = new ArrayList<>();
        for (int i = 0; i < t.columns().size(); i++) {
            DataType type = DataTypes.StringType;
            for (List<Object> r : t.rows()) {
                if (r.get(i) != null) {
                    type = typeOf(r.get(i));
                    break;
                }
            }
            types.add(type);
            fields.add(DataTypes.createStructField(t.columns().get(i), type, true));
        }
        List<Row> rows = new ArrayList<>();
        for (List<Object> r : t.rows()) {
            Object[] v = new Object[r.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = convert(r.get(i), types.get(i));
            }
            rows.add(RowFactory.create(v));
        }
        return spark.createDataFrame(rows, new StructType(fields.toArray(new StructField[0])));
    }

    private static DataType typeOf(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return DataTypes.IntegerType;
        }
        if (v instanceof Long) {
            return DataTypes.LongType;
        }
        if (v instanceof Double || v instanceof Float) {
            return DataTypes.DoubleType;
        }
        if (v instanceof BigDecimal) {
            return DecimalType.SYSTEM_DEFAULT();
        }
        if (v instanceof Boolean) {
            return DataTypes.BooleanType;
        }
        if (v instanceof java.sql.Timestamp) {
            return DataTypes.TimestampType;
        }
        return DataTypes.StringType;
    }

    private static Object convert(Object v, DataType type) {
        if (v == null) {
            return null;
        }
        if (type == DataTypes.IntegerType && v instanceof Number) {
            return ((Number) v).intValue();
        }
        if (type == DataTypes.LongType && v instanceof Number) {
            return ((Number) v).longValue();
        }
        if (type == DataTypes.DoubleType && v instanceof Number) {
            return ((Number) v).doubleValue();
        }
        if (type == DataTypes.StringType) {
            return String.valueOf(v);
        }
        return v;
    }

    private static void createParent(Path p) throws IOException {
        Path parent = p.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // leftovers of a finished write; the write's own outcome matters more
            LOG.warning("cannot remove the scratch folder " + dir + ": " + e.getMessage());
        }
    }
}
