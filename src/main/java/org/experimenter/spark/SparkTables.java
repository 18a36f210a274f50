package org.experimenter.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.jdbc.JdbcDialect;
import org.apache.spark.sql.jdbc.JdbcDialects;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.ConnectionSettings;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.Schema;
import org.experimenter.store.dialect.Dialect;

/** Reads the experiment table (or a query over it) into Spark through JDBC. */
public final class SparkTables {
    private static final List<String> TIMESTAMPS = List.of("creation_date", "start_date", "end_date");

    private SparkTables() {}

    /** A JDBC reader with URL, driver and credentials set. */
    public static DataFrameReader reader(SparkSession spark, ExperimentConfig config) {
        Dialect dialect = Dialect.forUrl(config.url());
        registerDialect(dialect);
        DataFrameReader r =
                spark.read().format("jdbc").option("url", config.url()).option("driver", dialect.driverClass());
        // the pool's settings (timeouts, application name, credentials) for Spark's connections too
        for (Map.Entry<Object, Object> p :
                ConnectionSettings.of(config, dialect).entrySet()) {
            r = r.option(String.valueOf(p.getKey()), String.valueOf(p.getValue()));
        }
        for (Map.Entry<String, String> o : dialect.sparkReadOptions().entrySet()) {
            r = r.option(o.getKey(), o.getValue());
        }
        return r;
    }

    /** The whole experiment table, timestamps as Spark timestamps on every database. */
    public static Dataset<Row> table(SparkSession spark, ExperimentConfig config) {
        DataFrameReader r =
                reader(spark, config).option("dbtable", config.table()).option("fetchsize", 10_000);
        long[] bounds = idRange(config);
        if (bounds != null && bounds[1] - bounds[0] > PARTITION_ROWS) {
            // large tables are read by several tasks at once, in id ranges
            long parts = Math.min(
                    4L * spark.sparkContext().defaultParallelism(), (bounds[1] - bounds[0]) / PARTITION_ROWS + 1);
            r = r.option("partitionColumn", "id")
                    .option("lowerBound", bounds[0])
                    .option("upperBound", bounds[1] + 1)
                    .option("numPartitions", Math.max(2, parts));
        }
        Dataset<Row> df = r.load();
        List<Column> cols = new ArrayList<>();
        for (StructField f : df.schema().fields()) {
            if (TIMESTAMPS.contains(f.name()) || f.name().endsWith("_timestamp")) {
                cols.add(utcTimestamp(f));
            } else {
                cols.add(functions.col(f.name()));
            }
        }
        return df.select(cols.toArray(new Column[0]));
    }

    private static final long PARTITION_ROWS = 100_000;

    private static long[] idRange(ExperimentConfig config) {
        return new ExperimentStore(config).runs().idRange();
    }

    private static final Set<Class<?>> REGISTERED = ConcurrentHashMap.newKeySet();

    /**
     * Registers with Spark, once per JVM, the JDBC dialect this database needs where Spark has
     * none of its own. The driver and the executors (which read the rows) both call this.
     */
    static void registerDialect(Dialect dialect) {
        JdbcDialect spark = dialect.sparkDialect();
        if (spark != null && REGISTERED.add(spark.getClass())) {
            JdbcDialects.registerDialect(spark);
        }
    }

    /** Any table of the database, read as it is (log tables, for example). */
    public static Dataset<Row> other(SparkSession spark, ExperimentConfig config, String table) {
        String quoted = Dialect.forUrl(config.url()).quoteIdentifier(table);
        return timestampsCast(reader(spark, config).option("dbtable", quoted).load());
    }

    /**
     * The tables beside the experiment table, sorted by name: its attempts table and its declared
     * log tables. Only these: a table of another user of the database that is merely named like
     * them is never read.
     */
    public static List<String> logTables(ExperimentConfig config) {
        Schema schema = new ExperimentStore(config).schema();
        List<String> out = new ArrayList<>();
        out.add(schema.attemptsTable());
        config.logtables().keySet().forEach(l -> out.add(schema.logTable(l)));
        out.sort(null);
        return out;
    }

    /**
     * Registers the experiment table, each of its {@link #logTables log tables} and its energy table
     * as temporary views named like the tables; returns the names registered.
     */
    public static List<String> registerViews(SparkSession spark, ExperimentConfig config) {
        List<String> names = new ArrayList<>();
        registerView(spark, config);
        names.add(config.table());
        for (String log : logTables(config)) {
            other(spark, config, log).createOrReplaceTempView(log);
            names.add(log);
        }
        ExperimentStore store = new ExperimentStore(config);
        // a table of an earlier version has no energy table until its next fill or run
        if (config.energy().enabled() && store.energyTableExists()) {
            String energy = store.schema().energyTable();
            other(spark, config, energy).createOrReplaceTempView(energy);
            names.add(energy);
        }
        return names;
    }

    /** Registers the experiment table as a temporary view named like the table. */
    public static Dataset<Row> registerView(SparkSession spark, ExperimentConfig config) {
        Dataset<Row> df = table(spark, config);
        df.createOrReplaceTempView(config.table());
        return df;
    }

    private static final List<String> OTHER_TIMESTAMPS = List.of("timestamp", "start_date", "end_date");

    /**
     * A timestamp column as a Spark timestamp. Text timestamps (SQLite) are UTC: a plain cast
     * would read them in the session's time zone, which a user's own SparkSession need not have
     * set to UTC; with the zone appended they are read as the instants they are.
     */
    private static Column utcTimestamp(StructField f) {
        Column c = functions.col(f.name());
        if (f.dataType() instanceof StringType) {
            c = functions.concat(c, functions.lit("Z"));
        }
        return c.cast("timestamp").as(f.name());
    }

    private static Dataset<Row> timestampsCast(Dataset<Row> df) {
        List<Column> cols = new ArrayList<>();
        for (StructField f : df.schema().fields()) {
            cols.add(OTHER_TIMESTAMPS.contains(f.name()) ? utcTimestamp(f) : functions.col(f.name()));
        }
        return df.select(cols.toArray(new Column[0]));
    }
}
