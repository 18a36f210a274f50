package org.experimenter.eval;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.experimenter.ExperimenterException;
import org.experimenter.FieldType;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.spark.SparkTables;

/**
 * Aggregates done rows with Spark SQL: grouped by every keyfield not listed in {@code over},
 * for each numeric result field its mean, standard deviation and count.
 */
public final class Evaluation {
  private final SparkSession spark;
  private final ExperimentConfig config;

  public Evaluation(SparkSession spark, ExperimentConfig config) {
    this.spark = spark;
    this.config = config;
  }

  /** The Spark SQL statement the evaluation runs over the table's view. */
  public String query(List<String> over) {
    Set<String> keys = new LinkedHashSet<>(config.keyfieldNames());
    for (String o : over) {
      if (!keys.contains(o)) {
        throw new ExperimenterException("--over " + o + ": no such keyfield; the keyfields are " + keys);
      }
    }
    List<String> groups = new ArrayList<>();
    for (String k : keys) {
      if (!over.contains(k)) {
        groups.add(k);
      }
    }
    List<String> aggs = new ArrayList<>();
    for (Map.Entry<String, FieldType> r : config.resultfields().entrySet()) {
      FieldType t = r.getValue();
      if (t == FieldType.INT || t == FieldType.LONG || t == FieldType.DOUBLE) {
        String f = r.getKey();
        aggs.add("avg(" + f + ") AS " + f + "_mean");
        aggs.add("stddev_samp(" + f + ") AS " + f + "_std");
        aggs.add("count(" + f + ") AS " + f + "_count");
      }
    }
    if (aggs.isEmpty()) {
      throw new ExperimenterException(config.origin() + ": resultfields: no numeric result field to aggregate");
    }
    String select = String.join(", ", groups) + (groups.isEmpty() ? "" : ", ") + String.join(", ", aggs);
    return "SELECT " + select + " FROM " + config.table() + " WHERE status = 'done'"
        + (groups.isEmpty() ? "" : " GROUP BY " + String.join(", ", groups) + " ORDER BY " + String.join(", ", groups));
  }

  public Dataset<Row> aggregate(List<String> over) {
    String sql = query(over);
    SparkTables.registerView(spark, config);
    spark.sparkContext().setJobDescription("experimenter eval: table " + config.table());
    return spark.sql(sql);
  }
}
