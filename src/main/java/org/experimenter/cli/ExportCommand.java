package org.experimenter.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.eval.Exporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter export}: the table and its log tables to Parquet or CSV files. */
@Command(
        name = "export",
        description = "Write the experiment table and its log tables to Parquet or CSV files, one per table,"
                + " for pandas and notebooks.")
final class ExportCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--output", required = true, description = "The folder to write <table>.parquet (or .csv) into.")
    Path output;

    @Option(names = "--format", defaultValue = "parquet", description = "parquet or csv (default: parquet).")
    String format;

    @Mixin
    WhereOption condition;

    @Mixin
    StageOption only;

    @Override
    public Integer call() {
        Experimenter ex = common.experimenter();
        Exporter.Format f = Exporter.Format.parse(format);
        SparkSession spark = SparkSessions.open(ex.config());
        try {
            for (Exporter.Written w : ex.export(spark, output, f, condition.where, only.stage)) {
                System.out.println("wrote " + w.file() + " (" + w.rows() + (w.rows() == 1 ? " row)" : " rows)"));
            }
            return 0;
        } finally {
            SparkSessions.close(spark);
        }
    }
}
