package org.experimenter.store;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.experimenter.store.WhereExpr.Kind;
import org.experimenter.store.dialect.Dialect;

/**
 * A checked {@link Where} written as SQL for one database: literals in the dialect's quoting,
 * LIKE and text order as the dialect writes them, every node in parentheses.
 */
final class WhereSql {
    private final Where where;
    private final Dialect dialect;

    private WhereSql(Where where, Dialect dialect) {
        this.where = where;
        this.dialect = dialect;
    }

    static String of(Where where, Dialect dialect) {
        return new WhereSql(where, dialect).sql(where.expr());
    }

    private String sql(WhereExpr e) {
        if (e instanceof WhereExpr.Column c) {
            return c.name();
        }
        if (e instanceof WhereExpr.Value v) {
            return literal(v.value());
        }
        if (e instanceof WhereExpr.And a) {
            return "(" + sql(a.left()) + " AND " + sql(a.right()) + ")";
        }
        if (e instanceof WhereExpr.Or o) {
            return "(" + sql(o.left()) + " OR " + sql(o.right()) + ")";
        }
        if (e instanceof WhereExpr.Not n) {
            return "(NOT " + sql(n.child()) + ")";
        }
        if (e instanceof WhereExpr.Compare c) {
            boolean ordered = c.op() != WhereExpr.Compare.Op.EQ
                    && c.op() != WhereExpr.Compare.Op.NE
                    && isText(c.left())
                    && isText(c.right());
            boolean doubles = mixedNumbers(c.left(), c.right());
            return "(" + operand(c.left(), ordered, doubles) + " " + c.op().sql + " "
                    + operand(c.right(), ordered, doubles) + ")";
        }
        if (e instanceof WhereExpr.In in) {
            List<WhereExpr> all = new ArrayList<>(in.list());
            all.add(in.value());
            boolean doubles = mixedNumbers(all.toArray(new WhereExpr[0]));
            StringJoiner list = new StringJoiner(", ", "(", ")");
            for (WhereExpr v : in.list()) {
                list.add(operand(v, false, doubles));
            }
            return "(" + operand(in.value(), false, doubles) + " IN " + list + ")";
        }
        if (e instanceof WhereExpr.Between b) {
            boolean ordered = isText(b.value()) && isText(b.low()) && isText(b.high());
            boolean doubles = mixedNumbers(b.value(), b.low(), b.high());
            return "(" + operand(b.value(), ordered, doubles) + " BETWEEN " + operand(b.low(), ordered, doubles)
                    + " AND " + operand(b.high(), ordered, doubles) + ")";
        }
        if (e instanceof WhereExpr.IsNull n) {
            return "(" + sql(n.child()) + (n.negated() ? " IS NOT NULL)" : " IS NULL)");
        }
        if (e instanceof WhereExpr.Like l) {
            return dialect.like(sql(l.value()), l.pattern());
        }
        if (e instanceof WhereExpr.Arithmetic a) {
            if (a.op() == '/') {
                // in doubles, as Spark divides: decimal division rounds differently per database
                return "(" + dialect.toDouble(sql(a.left())) + " / " + dialect.toDouble(sql(a.right())) + ")";
            }
            return "(" + sql(a.left()) + " " + a.op() + " " + sql(a.right()) + ")";
        }
        if (e instanceof WhereExpr.Negate n) {
            return "(- " + sql(n.child()) + ")";
        }
        throw new IllegalStateException("where node " + e + " not handled; this is a bug");
    }

    /**
     * An operand of a comparison; text compared by order is ordered by code point, and numbers of
     * mixed kinds are compared as doubles (as Spark compares them).
     */
    private String operand(WhereExpr e, boolean ordered, boolean doubles) {
        String s = sql(e);
        if (doubles && where.kind(e).isNumber()) {
            return dialect.toDouble(s);
        }
        return ordered && where.kind(e) == Kind.TEXT ? dialect.orderedText(s) : s;
    }

    /** Whether these operands are numbers of both kinds, whole and not. */
    private boolean mixedNumbers(WhereExpr... operands) {
        boolean whole = false;
        boolean real = false;
        for (WhereExpr o : operands) {
            Kind k = where.kind(o);
            whole |= k == Kind.INTEGER;
            real |= k == Kind.REAL;
        }
        return whole && real;
    }

    /** Text or NULL: not a timestamp compared with text, which the database converts to a timestamp. */
    private boolean isText(WhereExpr e) {
        Kind k = where.kind(e);
        return k == Kind.TEXT || k == Kind.NULL;
    }

    private String literal(Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof String s) {
            return dialect.stringLiteral(s);
        }
        if (v instanceof Boolean b) {
            return b ? "TRUE" : "FALSE";
        }
        // a negative number in parentheses: "- -1" must never become a "--" comment
        if (v instanceof Long n) {
            return n == Long.MIN_VALUE ? "(" + (Long.MIN_VALUE + 1) + " - 1)" : n < 0 ? "(" + n + ")" : n.toString();
        }
        if (v instanceof BigDecimal d) {
            return d.signum() < 0 ? "(" + d.toPlainString() + ")" : d.toPlainString();
        }
        throw new IllegalStateException("where value " + v + " not handled; this is a bug");
    }
}
