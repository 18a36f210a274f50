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
    private final Where where;

    private WhereColumn(Where where) {
        this.where = where;
    }

    public static Column of(Where where) {
        return new WhereColumn(where).column(where.expr());
    }

    /** Numbers of both kinds, whole and not, are compared as doubles, as the store writes them. */
    private boolean mixedNumbers(WhereExpr... operands) {
        boolean whole = false;
        boolean real = false;
        for (WhereExpr o : operands) {
            WhereExpr.Kind k = where.kind(o);
            whole |= k == WhereExpr.Kind.INTEGER;
            real |= k == WhereExpr.Kind.REAL;
        }
        return whole && real;
    }

    private Column operand(WhereExpr e, boolean doubles) {
        Column c = column(e);
        return doubles && where.kind(e).isNumber() ? c.cast("double") : c;
    }

    private Column column(WhereExpr e) {
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
            boolean doubles = mixedNumbers(c.left(), c.right());
            Column l = operand(c.left(), doubles);
            Column r = operand(c.right(), doubles);
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
            java.util.List<WhereExpr> all = new java.util.ArrayList<>(in.list());
            all.add(in.value());
            boolean doubles = mixedNumbers(all.toArray(new WhereExpr[0]));
            Object[] list = new Object[in.list().size()];
            for (int i = 0; i < list.length; i++) {
                list[i] = operand(in.list().get(i), doubles);
            }
            return operand(in.value(), doubles).isin(list);
        }
        if (e instanceof WhereExpr.Between b) {
            boolean doubles = mixedNumbers(b.value(), b.low(), b.high());
            return operand(b.value(), doubles).between(operand(b.low(), doubles), operand(b.high(), doubles));
        }
        if (e instanceof WhereExpr.IsNull n) {
            return n.negated()
                    ? column(n.child()).isNotNull()
                    : column(n.child()).isNull();
        }
        if (e instanceof WhereExpr.Like l) {
            if (LikePattern.plain(l.pattern())) {
                return column(l.value()).like(l.pattern()); // Spark's own: a prefix, suffix or contains
            }
            LikePattern pattern = new LikePattern(l.pattern());
            return org.apache
                    .spark
                    .sql
                    .functions
                    .udf(
                            (org.apache.spark.sql.api.java.UDF1<String, Boolean>) pattern::matches,
                            org.apache.spark.sql.types.DataTypes.BooleanType)
                    .apply(column(l.value()));
        }
        if (e instanceof WhereExpr.Arithmetic a) {
            Column l = column(a.left());
            Column r = column(a.right());
            return switch (a.op()) {
                case '+' -> l.plus(r);
                case '-' -> l.minus(r);
                case '*' -> l.multiply(r);
                case '/' -> l.cast("double").divide(r.cast("double"));
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
