package org.experimenter.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.expressions.Add;
import org.apache.spark.sql.catalyst.expressions.And;
import org.apache.spark.sql.catalyst.expressions.BinaryComparison;
import org.apache.spark.sql.catalyst.expressions.Divide;
import org.apache.spark.sql.catalyst.expressions.EqualNullSafe;
import org.apache.spark.sql.catalyst.expressions.EqualTo;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GreaterThan;
import org.apache.spark.sql.catalyst.expressions.GreaterThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.In;
import org.apache.spark.sql.catalyst.expressions.IsNotNull;
import org.apache.spark.sql.catalyst.expressions.IsNull;
import org.apache.spark.sql.catalyst.expressions.LessThan;
import org.apache.spark.sql.catalyst.expressions.LessThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.Like;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.Multiply;
import org.apache.spark.sql.catalyst.expressions.Not;
import org.apache.spark.sql.catalyst.expressions.Or;
import org.apache.spark.sql.catalyst.expressions.Remainder;
import org.apache.spark.sql.catalyst.expressions.Subtract;
import org.apache.spark.sql.catalyst.expressions.UnaryMinus;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.StringType;
import org.experimenter.ExperimenterException;

/**
 * A {@code --where} condition: one boolean expression over the table's columns, in Spark SQL's
 * grammar, and nothing else. It is parsed by Spark's own parser, checked node by node, and
 * written out again as SQL that every database reads the same: so {@code run}, {@code reset},
 * {@code eval}, {@code plot} and {@code export} all mean the same by it, and no text of the user's
 * reaches a statement unparsed (a {@code ;}, a comment, a subquery or a function call is refused).
 *
 * <p>Allowed: column names, numbers, strings in single or double quotes (both are strings, as in
 * Spark SQL), TRUE, FALSE, NULL, {@code = <> != < <= > >=}, AND, OR, NOT, IN (list), BETWEEN,
 * LIKE, IS [NOT] NULL, {@code + - * / %} (division is never integer division) and parentheses.
 */
public final class Where {
    private final String text;
    private final String sql;

    private Where(String text, String sql) {
        this.text = text;
        this.sql = sql;
    }

    /**
     * Parses a condition; {@code columns} are the names it may use, or null to leave unknown names
     * to Spark (which names them in its own message).
     */
    public static Where parse(String text, Set<String> columns) {
        Expression e;
        try {
            e = CatalystSqlParser$.MODULE$.parseExpression(text);
        } catch (Exception ex) { // Spark's ParseException, thrown unchecked from Scala
            String reason = String.valueOf(ex.getMessage()).strip().split("\n")[0];
            throw refused(text, "not one boolean expression over the table's columns: " + reason);
        }
        return new Where(text, new Writer(text, columns).sql(e));
    }

    /** The condition as the user wrote it. */
    public String text() {
        return text;
    }

    /** The condition as SQL for the database and for Spark, in parentheses. */
    public String sql() {
        return sql;
    }

    @Override
    public String toString() {
        return sql;
    }

    private static ExperimenterException refused(String text, String why) {
        return new ExperimenterException("--where \"" + text + "\": " + why);
    }

    /** Writes a checked expression tree as SQL. */
    private static final class Writer {
        private final String text;
        private final Set<String> columns;

        Writer(String text, Set<String> columns) {
            this.text = text;
            this.columns = columns;
        }

        String sql(Expression e) {
            if (e instanceof And a) {
                return "(" + sql(a.left()) + " AND " + sql(a.right()) + ")";
            }
            if (e instanceof Or o) {
                return "(" + sql(o.left()) + " OR " + sql(o.right()) + ")";
            }
            if (e instanceof Not n) {
                return "(NOT " + sql(n.child()) + ")";
            }
            if (e instanceof BinaryComparison c && !(c instanceof EqualNullSafe)) {
                return "(" + sql(c.left()) + " " + comparison(c) + " " + sql(c.right()) + ")";
            }
            if (e instanceof In in) {
                StringJoiner list = new StringJoiner(", ", "(", ")");
                for (Expression v : ScalaSeqs.asJava(in.list())) {
                    list.add(sql(v));
                }
                return "(" + sql(in.value()) + " IN " + list + ")";
            }
            if (e instanceof IsNull n) {
                return "(" + sql(n.child()) + " IS NULL)";
            }
            if (e instanceof IsNotNull n) {
                return "(" + sql(n.child()) + " IS NOT NULL)";
            }
            if (e instanceof Like l) {
                if (l.escapeChar() != '\\') {
                    throw refused(text, "LIKE ... ESCAPE is not supported");
                }
                return "(" + sql(l.left()) + " LIKE " + sql(l.right()) + " ESCAPE '\\')";
            }
            if (e instanceof UnresolvedFunction f
                    && f.nameParts().size() == 1
                    && f.nameParts().head().equalsIgnoreCase("between")
                    && f.arguments().size() == 3
                    && !f.isDistinct()) {
                List<Expression> a = ScalaSeqs.asJava(f.arguments());
                return "(" + sql(a.get(0)) + " BETWEEN " + sql(a.get(1)) + " AND " + sql(a.get(2)) + ")";
            }
            if (e instanceof Add a) {
                return "(" + sql(a.left()) + " + " + sql(a.right()) + ")";
            }
            if (e instanceof Subtract s) {
                return "(" + sql(s.left()) + " - " + sql(s.right()) + ")";
            }
            if (e instanceof Multiply m) {
                return "(" + sql(m.left()) + " * " + sql(m.right()) + ")";
            }
            if (e instanceof Divide d) {
                // Spark divides integers as decimals; so do the databases with a decimal operand
                return "(" + sql(d.left()) + " * 1.0 / " + sql(d.right()) + ")";
            }
            if (e instanceof Remainder r) {
                return "(" + sql(r.left()) + " % " + sql(r.right()) + ")";
            }
            if (e instanceof UnaryMinus m) {
                return "(-" + sql(m.child()) + ")";
            }
            if (e instanceof Literal l) {
                return literal(l);
            }
            if (e instanceof UnresolvedAttribute a) {
                return column(a);
            }
            if (e instanceof UnresolvedFunction f) {
                throw refused(
                        text,
                        "functions such as " + f.prettyName()
                                + "(...) are not allowed; use columns, values and operators");
            }
            throw refused(
                    text,
                    "'" + e.sql() + "' is not allowed; use columns, values, comparisons, AND, OR, NOT, IN, BETWEEN,"
                            + " LIKE, IS NULL and arithmetic");
        }

        private static String comparison(BinaryComparison c) {
            if (c instanceof EqualTo) {
                return "=";
            }
            if (c instanceof LessThan) {
                return "<";
            }
            if (c instanceof LessThanOrEqual) {
                return "<=";
            }
            if (c instanceof GreaterThan) {
                return ">";
            }
            if (c instanceof GreaterThanOrEqual) {
                return ">=";
            }
            throw new IllegalStateException("comparison " + c.symbol() + " not handled; this is a bug");
        }

        private String column(UnresolvedAttribute a) {
            List<String> parts = new ArrayList<>(ScalaSeqs.asJava(a.nameParts()));
            String name = parts.get(parts.size() - 1).toLowerCase(Locale.ROOT);
            if (parts.size() != 1 || !name.matches("[a-z_][a-z0-9_]*")) {
                throw refused(text, "'" + a.sql() + "' is not a column name");
            }
            if (columns != null && !columns.contains(name)) {
                throw refused(text, "unknown column " + name + "; the table's columns: " + String.join(", ", columns));
            }
            return name;
        }

        private static String literal(Literal l) {
            if (l.value() == null || l.dataType() instanceof NullType) {
                return "NULL";
            }
            if (l.dataType() instanceof StringType) {
                return "'" + l.value().toString().replace("'", "''") + "'";
            }
            if (l.dataType() instanceof BooleanType) {
                return (Boolean) l.value() ? "TRUE" : "FALSE";
            }
            String number = l.value().toString();
            if (!number.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
                throw new ExperimenterException("--where: the value " + l.sql() + " is not supported");
            }
            return number;
        }
    }
}
