package org.experimenter.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.dialect.Dialect;

/** Reads the experiment table (or a query over it) into Spark through JDBC. */
public final class SparkTables {
  private static final List<String> TIMESTAMPS = List.of("creation_date", "start_date", "end_date");

  private SparkTables() {}

  /** A JDBC reader with URL, driver and credentials set. */
  public static DataFrameReader reader(SparkSession spark, ExperimentConfig config) {
    Dialect dialect = Dialect.forUrl(config.url());
    if (config.url().startsWith("jdbc:sqlite:")) {
      SqliteSparkDialect.register();
    }
    DataFrameReader r =
        spark.read().format("jdbc").option("url", config.url()).option("driver", dialect.driverClass());
    if (!config.user().isEmpty()) {
      r = r.option("user", config.user());
    }
    if (!config.password().isEmpty()) {
      r = r.option("password", config.password());
    }
    return r;
  }

  /** The whole experiment table, timestamps as Spark timestamps on every database. */
  public static Dataset<Row> table(SparkSession spark, ExperimentConfig config) {
    Dataset<Row> df = reader(spark, config).option("dbtable", config.table()).load();
    List<Column> cols = new ArrayList<>();
    for (StructField f : df.schema().fields()) {
      if (TIMESTAMPS.contains(f.name()) || f.name().endsWith("_timestamp")) {
        cols.add(functions.col(f.name()).cast("timestamp").as(f.name()));
      } else {
        cols.add(functions.col(f.name()));
      }
    }
    return df.select(cols.toArray(new Column[0]));
  }

  /**
   * Registers the experiment table, its attempts table and its declared log tables as
   * temporary views named like the tables.
   */
  public static Dataset<Row> registerView(SparkSession spark, ExperimentConfig config) {
    Dataset<Row> df = table(spark, config);
    df.createOrReplaceTempView(config.table());
    List<String> others = new ArrayList<>();
    others.add(config.table() + "__attempts");
    for (String l : config.logtables().keySet()) {
      others.add(config.table() + "__" + l);
    }
    for (String t : others) {
      timestampsCast(reader(spark, config).option("dbtable", t).load()).createOrReplaceTempView(t);
    }
    return df;
  }

  private static final List<String> OTHER_TIMESTAMPS = List.of("timestamp", "start_date", "end_date");

  private static Dataset<Row> timestampsCast(Dataset<Row> df) {
    List<Column> cols = new ArrayList<>();
    for (StructField f : df.schema().fields()) {
      cols.add(OTHER_TIMESTAMPS.contains(f.name()) ? functions.col(f.name()).cast("timestamp").as(f.name()) : functions.col(f.name()));
    }
    return df.select(cols.toArray(new Column[0]));
  }
}
