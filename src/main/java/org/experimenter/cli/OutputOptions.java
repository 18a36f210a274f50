package org.experimenter.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.experimenter.ExperimenterException;
import org.experimenter.eval.ResultTable;
import org.experimenter.eval.TableFormat;
import org.experimenter.eval.TableWriter;
import picocli.CommandLine.Option;

/** The output options of eval and sql: format, precision, file. */
final class OutputOptions {
    @Option(
            names = "--format",
            defaultValue = "console",
            description = "console, csv, markdown, latex, json or parquet (parquet needs --output). Default: console.")
    String format;

    @Option(
            names = "--precision",
            defaultValue = "" + TableFormat.DEFAULT_PRECISION,
            description = "Digits after the decimal point in console, CSV, Markdown and LaTeX (default: 4).")
    int precision;

    @Option(names = "--output", description = "Write to this file instead of standard output.")
    Path output;

    /** The defaults: a table on standard output. */
    static OutputOptions console() {
        OutputOptions o = new OutputOptions();
        o.format = "console";
        o.precision = TableFormat.DEFAULT_PRECISION;
        return o;
    }

    /** The format, checked before Spark starts so that a typo fails fast. */
    TableFormat checkedFormat() {
        TableFormat f = TableFormat.parse(format);
        if (!f.isText() && output == null) {
            throw new ExperimenterException(format + " is a binary format: give --output FILE to write it");
        }
        if (precision < 0 || precision > 15) {
            throw new ExperimenterException("--precision " + precision + ": expected 0 to 15 digits");
        }
        return f;
    }

    void write(SparkSession spark, ResultTable t) {
        report(TableWriter.write(spark, t, checkedFormat(), precision, output, stdout()));
    }

    void write(SparkSession spark, Dataset<Row> df) {
        report(TableWriter.write(spark, df, checkedFormat(), precision, output, stdout()));
    }

    private static void report(Path written) {
        if (written != null) {
            System.out.println("wrote " + written);
        }
    }

    /** Standard output as UTF-8 whatever the platform's charset ("±" in tables). */
    static PrintStream stdout() {
        return new PrintStream(System.out, true, StandardCharsets.UTF_8);
    }
}
