package org.experimenter.cli;

import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.eval.SqlErrors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code experimenter sql}: a Spark SQL query over the experiment table and its log tables. */
@Command(
        name = "sql",
        description = "Run Spark SQL with the experiment table and its log tables (<table>__<log>) registered as views"
                + " named like the tables.")
final class SqlCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", description = "The query, e.g. \"SELECT status, count(*) FROM my_table GROUP BY status\".")
    String query;

    @Mixin
    OutputOptions out;

    @Override
    public Integer call() {
        Experimenter ex = common.experimenter();
        out.checkedFormat();
        SparkSession spark = SparkSessions.open(ex.config());
        try {
            Dataset<Row> df = ex.sql(spark, query);
            spark.sparkContext()
                    .setJobDescription("experimenter sql: table " + ex.config().table());
            // Spark evaluates lazily: an error in the query may surface only when the rows are written
            SqlErrors.translate("", () -> {
                out.write(spark, df);
                return null;
            });
            return 0;
        } finally {
            SparkSessions.close(spark);
        }
    }
}
