package org.experimenter.store.dialect;

import java.util.Locale;
import org.apache.spark.sql.jdbc.JdbcDialect;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MetadataBuilder;
import scala.Option;

/**
 * Spark has no SQLite dialect: without one INTEGER reads as a 32-bit int (silently wrapping
 * 64-bit values) and BIGINT as decimal(20,0). This maps the declared column types the
 * experiment table uses.
 */
final class SqliteSparkDialect extends JdbcDialect {
    private static final long serialVersionUID = 1L;
    private static final SqliteDialect SQLITE = new SqliteDialect();

    @Override
    public boolean canHandle(String url) {
        return SQLITE.accepts(url);
    }

    @Override
    public Option<DataType> getCatalystType(int sqlType, String typeName, int size, MetadataBuilder md) {
        String t = typeName == null ? "" : typeName.toUpperCase(Locale.ROOT);
        switch (t) {
            case "INTEGER":
            case "INT":
            case "BIGINT":
            case "INT8":
                return Option.apply(DataTypes.LongType);
            case "REAL":
            case "DOUBLE":
            case "DOUBLE PRECISION":
            case "FLOAT":
                return Option.apply(DataTypes.DoubleType);
            case "TEXT":
            case "VARCHAR":
                return Option.apply(DataTypes.StringType);
            case "BOOLEAN":
                return Option.apply(DataTypes.BooleanType);
            default:
                if (t.startsWith("VARCHAR")) {
                    return Option.apply(DataTypes.StringType);
                }
                return Option.empty();
        }
    }

    @Override
    public String quoteIdentifier(String colName) {
        return "\"" + colName.replace("\"", "\"\"") + "\"";
    }
}
