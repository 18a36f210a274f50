package org.experimenter.eval;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import org.apache.spark.sql.Column;
import org.experimenter.store.Where;
import org.experimenter.store.WhereExpr;

/**
 * A checked {@link Where} as a Spark {@link Column}, built node by node from its tree: values
 * reach Spark as literals, never as text it parses, so a quote, a backslash or a comment in a
 * value is only ever that value.
 */
public final class WhereColumn {
    private WhereColumn() {}

    public static Column of(Where where) {
        return column(where.expr());
    }

    private static Column column(WhereExpr e) {
        if (e instanceof WhereExpr.Column c) {
            return col(c.name());
        }
        if (e instanceof WhereExpr.Value v) {
            return lit(v.value());
        }
        if (e instanceof WhereExpr.And a) {
            return column(a.left()).and(column(a.right()));
        }
        if (e instanceof WhereExpr.Or o) {
            return column(o.left()).or(column(o.right()));
        }
        if (e instanceof WhereExpr.Not n) {
            return not(column(n.child()));
        }
        if (e instanceof WhereExpr.Compare c) {
            Column l = column(c.left());
            Column r = column(c.right());
            return switch (c.op()) {
                case EQ -> l.equalTo(r);
                case NE -> l.notEqual(r);
                case LT -> l.lt(r);
                case LE -> l.leq(r);
                case GT -> l.gt(r);
                case GE -> l.geq(r);
            };
        }
        if (e instanceof WhereExpr.In in) {
            Object[] list = new Object[in.list().size()];
            for (int i = 0; i < list.length; i++) {
                list[i] = column(in.list().get(i));
            }
            return column(in.value()).isin(list);
        }
        if (e instanceof WhereExpr.Between b) {
            return column(b.value()).between(column(b.low()), column(b.high()));
        }
        if (e instanceof WhereExpr.IsNull n) {
            return n.negated()
                    ? column(n.child()).isNotNull()
                    : column(n.child()).isNull();
        }
        if (e instanceof WhereExpr.Like l) {
            return column(l.value()).like(l.pattern());
        }
        if (e instanceof WhereExpr.Arithmetic a) {
            Column l = column(a.left());
            Column r = column(a.right());
            return switch (a.op()) {
                case '+' -> l.plus(r);
                case '-' -> l.minus(r);
                case '*' -> l.multiply(r);
                case '/' -> l.divide(r);
                case '%' -> l.mod(r);
                default -> throw new IllegalStateException("operator " + a.op() + " not handled; this is a bug");
            };
        }
        if (e instanceof WhereExpr.Negate n) {
            return column(n.child()).unary_$minus();
        }
        throw new IllegalStateException("where node " + e + " not handled; this is a bug");
    }
}
