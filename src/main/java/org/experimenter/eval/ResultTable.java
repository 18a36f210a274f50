package org.experimenter.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** A small table of results collected on the driver, ready to be formatted. */
public final class ResultTable {
  private final List<String> columns;
  private final List<List<Object>> rows;

  public ResultTable(List<String> columns, List<List<Object>> rows) {
    this.columns = List.copyOf(columns);
    this.rows = Collections.unmodifiableList(rows);
  }

  /** Collects a Spark result; meant for aggregated, small results. */
  public static ResultTable of(Dataset<Row> df) {
    List<String> cols = List.of(df.columns());
    List<List<Object>> rows = new ArrayList<>();
    for (Row r : df.collectAsList()) {
      List<Object> row = new ArrayList<>(cols.size());
      for (int i = 0; i < cols.size(); i++) {
        row.add(r.isNullAt(i) ? null : r.get(i));
      }
      rows.add(row);
    }
    return new ResultTable(cols, rows);
  }

  public List<String> columns() {
    return columns;
  }

  public List<List<Object>> rows() {
    return rows;
  }

  public Object get(int row, String column) {
    int i = columns.indexOf(column);
    if (i < 0) {
      throw new IllegalArgumentException("no column " + column + " in " + columns);
    }
    return rows.get(row).get(i);
  }
}
