package org.experimenter.store.dialect;

import java.sql.Types;
import org.apache.spark.sql.jdbc.JdbcDialect;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MetadataBuilder;
import scala.Option;

/**
 * Spark's MySQL dialect answers only {@code jdbc:mysql:} URLs; for {@code jdbc:mariadb:} Spark
 * would quote column names with double quotes, which MariaDB reads as strings. This quotes with
 * backticks and reads BOOLEAN columns (TINYINT(1), reported as BIT) as booleans.
 */
final class MariaDbSparkDialect extends JdbcDialect {
    private static final long serialVersionUID = 1L;
    private final String prefix;

    MariaDbSparkDialect(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public boolean canHandle(String url) {
        return url != null && url.startsWith(prefix);
    }

    @Override
    public Option<DataType> getCatalystType(int sqlType, String typeName, int size, MetadataBuilder md) {
        if ((sqlType == Types.BIT || sqlType == Types.BOOLEAN) && size <= 1) {
            return Option.apply(DataTypes.BooleanType);
        }
        return Option.empty();
    }

    @Override
    public String quoteIdentifier(String colName) {
        return "`" + colName.replace("`", "``") + "`";
    }
}
