package org.experimenter.store;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.experimenter.ExperimenterException;
import org.experimenter.store.WhereExpr.Kind;

/**
 * A {@code --where} condition: one boolean expression over the table's columns, in Spark SQL's
 * grammar, and nothing else. Spark's parser reads the text once; every node is checked and
 * turned into a {@link WhereExpr}, a typed tree that travels from there on: the store writes it
 * for its database ({@link WhereSql}, literals in the dialect's quoting) and the evaluation builds
 * Spark columns from it, so no text of the user's is parsed again by anyone, and {@code run},
 * {@code reset}, {@code eval}, {@code plot}, {@code export} and the web view select the same rows.
 *
 * <p>Allowed: column names, numbers, strings in single or double quotes (both are strings, as in
 * Spark SQL), TRUE, FALSE, NULL, {@code = <> != < <= > >=}, AND, OR, NOT, IN (list), BETWEEN,
 * LIKE with a literal pattern, IS [NOT] NULL, {@code + - * / %} (division is never integer
 * division, {@code %} takes integers) and parentheses. Both sides of a comparison have one kind
 * (numbers, text, booleans; a timestamp column is compared with text), since the databases and
 * Spark convert mixed kinds differently.
 */
public final class Where implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The longest condition read: a condition is typed, not generated. */
    static final int MAX_LENGTH = 10_000;

    private final String text;
    private final WhereExpr expr;
    private final Map<String, Kind> columns;
    /** The kind of every node of {@link #expr}, worked out once where the text was read. */
    private final IdentityHashMap<WhereExpr, Kind> kinds;

    private Where(String text, WhereExpr expr, Map<String, Kind> columns, IdentityHashMap<WhereExpr, Kind> kinds) {
        this.text = text;
        this.expr = expr;
        this.columns = new LinkedHashMap<>(columns);
        this.kinds = kinds;
    }

    /**
     * Parses and checks a condition over the given columns and their kinds ({@link
     * Schema#columnKinds()}).
     */
    public static Where parse(String text, Map<String, Kind> columns) {
        if (text.length() > MAX_LENGTH) {
            throw new ExperimenterException(
                    "--where: " + text.length() + " characters; a condition has at most " + MAX_LENGTH);
        }
        Expression e;
        try {
            e = CatalystSqlParser$.MODULE$.parseExpression(text);
        } catch (StackOverflowError ex) {
            throw new ExperimenterException("--where: nested too deeply to read");
        } catch (Exception ex) { // Spark's ParseException, thrown unchecked from Scala
            String reason = String.valueOf(ex.getMessage()).strip().split("\n")[0];
            throw refused(text, "not one boolean expression over the table's columns: " + reason);
        }
        Reader r = new Reader(text, columns);
        WhereExpr tree;
        Kind k;
        try {
            tree = r.read(e);
            k = r.kind(tree);
        } catch (StackOverflowError ex) {
            throw new ExperimenterException("--where: nested too deeply to read");
        }
        if (k != Kind.BOOLEAN && k != Kind.NULL) {
            throw refused(text, "not a condition: it gives " + name(k) + ", not true or false");
        }
        return new Where(text, tree, columns, r.kinds);
    }

    /**
     * The rows of one stage ({@code stage = n}; 1 is the grid), a condition of the tool's own
     * that composes with the user's through {@link #and}: {@code --stage} of eval, plot, export
     * and the web view.
     */
    public static Where stage(int stage, Map<String, Kind> columns) {
        if (stage < 1) {
            throw new ExperimenterException("--stage " + stage + ": stages are numbered from 1 (the grid's rows)");
        }
        if (columns.get("stage") != Kind.INTEGER) {
            throw new IllegalStateException("the table has no stage column; this is a bug");
        }
        WhereExpr tree = new WhereExpr.Compare(
                new WhereExpr.Column("stage"), WhereExpr.Compare.Op.EQ, new WhereExpr.Value((long) stage));
        String text = "stage = " + stage;
        Reader r = new Reader(text, columns);
        r.kind(tree);
        return new Where(text, tree, columns, r.kinds);
    }

    /**
     * The rows of every stage but these ({@code NOT stage IN (2, 3)}), a condition of the tool's
     * own: a run of every stage leaves the rows of the stages that have resources of their own to
     * runs of those stages.
     */
    public static Where stagesOtherThan(Collection<Integer> stages, Map<String, Kind> columns) {
        if (stages.isEmpty()) {
            throw new IllegalStateException("no stages to leave out; this is a bug");
        }
        if (columns.get("stage") != Kind.INTEGER) {
            throw new IllegalStateException("the table has no stage column; this is a bug");
        }
        List<WhereExpr> values = new ArrayList<>();
        StringJoiner text = new StringJoiner(", ", "NOT stage IN (", ")");
        for (int stage : stages) {
            values.add(new WhereExpr.Value((long) stage));
            text.add(Integer.toString(stage));
        }
        WhereExpr tree = new WhereExpr.Not(new WhereExpr.In(new WhereExpr.Column("stage"), values));
        Reader r = new Reader(text.toString(), columns);
        r.kind(tree);
        return new Where(text.toString(), tree, columns, r.kinds);
    }

    /**
     * Both conditions as one: their checked trees joined by AND (never their texts), so the
     * store and Spark select the rows both select.
     */
    public Where and(Where other) {
        if (!columns.equals(other.columns)) {
            throw new IllegalStateException("conditions over different tables; this is a bug");
        }
        WhereExpr both = new WhereExpr.And(expr, other.expr);
        IdentityHashMap<WhereExpr, Kind> known = new IdentityHashMap<>(kinds);
        known.putAll(other.kinds);
        known.put(both, Kind.BOOLEAN);
        return new Where("(" + text + ") AND (" + other.text + ")", both, columns, known);
    }

    /** The condition as the user wrote it. */
    public String text() {
        return text;
    }

    /** The checked tree. */
    public WhereExpr expr() {
        return expr;
    }

    /** The kind of a node of {@link #expr()} (text, a number, ...). */
    public Kind kind(WhereExpr node) {
        Kind k = kinds.get(node);
        return k != null ? k : new Reader(text, columns).kind(node);
    }

    @Override
    public String toString() {
        return text;
    }

    private static ExperimenterException refused(String text, String why) {
        return new ExperimenterException("--where \"" + text + "\": " + why);
    }

    private static String name(Kind k) {
        return switch (k) {
            case INTEGER, REAL -> "a number";
            case TEXT -> "text";
            case BOOLEAN -> "true or false";
            case TIME -> "a timestamp";
            case NULL -> "NULL";
        };
    }

    /** Reads Spark's parsed expression into a {@link WhereExpr}, refusing anything outside the rule. */
    private static final class Reader {
        private final String text;
        private final Map<String, Kind> columns;

        Reader(String text, Map<String, Kind> columns) {
            this.text = text;
            this.columns = columns;
        }

        WhereExpr read(Expression e) {
            if (e instanceof And a) {
                return new WhereExpr.And(read(a.left()), read(a.right()));
            }
            if (e instanceof Or o) {
                return new WhereExpr.Or(read(o.left()), read(o.right()));
            }
            if (e instanceof Not n) {
                // Spark reads != and NOT x = y alike
                return new WhereExpr.Not(read(n.child()));
            }
            if (e instanceof BinaryComparison c && !(c instanceof EqualNullSafe)) {
                return new WhereExpr.Compare(read(c.left()), op(c), read(c.right()));
            }
            if (e instanceof In in) {
                List<WhereExpr> list = new ArrayList<>();
                for (Expression v : ScalaSeqs.asJava(in.list())) {
                    list.add(read(v));
                }
                return new WhereExpr.In(read(in.value()), list);
            }
            if (e instanceof IsNull n) {
                return new WhereExpr.IsNull(read(n.child()), false);
            }
            if (e instanceof IsNotNull n) {
                return new WhereExpr.IsNull(read(n.child()), true);
            }
            if (e instanceof Like l) {
                if (l.escapeChar() != '\\') {
                    throw refused(text, "LIKE ... ESCAPE is not supported");
                }
                if (!(l.right() instanceof Literal p) || !(p.dataType() instanceof StringType) || p.value() == null) {
                    throw refused(text, "the pattern of LIKE is a string in quotes");
                }
                return new WhereExpr.Like(read(l.left()), pattern(p.value().toString()));
            }
            if (e instanceof UnresolvedFunction f
                    && f.nameParts().size() == 1
                    && f.nameParts().head().equalsIgnoreCase("between")
                    && f.arguments().size() == 3
                    && !f.isDistinct()) {
                List<Expression> a = ScalaSeqs.asJava(f.arguments());
                return new WhereExpr.Between(read(a.get(0)), read(a.get(1)), read(a.get(2)));
            }
            if (e instanceof Add a) {
                return new WhereExpr.Arithmetic(read(a.left()), '+', read(a.right()));
            }
            if (e instanceof Subtract s) {
                return new WhereExpr.Arithmetic(read(s.left()), '-', read(s.right()));
            }
            if (e instanceof Multiply m) {
                return new WhereExpr.Arithmetic(read(m.left()), '*', read(m.right()));
            }
            if (e instanceof Divide d) {
                return new WhereExpr.Arithmetic(read(d.left()), '/', divisor(d.right(), "division by zero"));
            }
            if (e instanceof Remainder r) {
                // the databases and Spark disagree on x % 0 (an error, null, or a failed task)
                return new WhereExpr.Arithmetic(read(r.left()), '%', divisor(r.right(), "remainder by zero"));
            }
            if (e instanceof UnaryMinus m) {
                WhereExpr child = read(m.child());
                if (child instanceof WhereExpr.Value v && v.value() instanceof Long n) {
                    return new WhereExpr.Value(-n);
                }
                if (child instanceof WhereExpr.Value v && v.value() instanceof BigDecimal n) {
                    return number(n.negate());
                }
                return new WhereExpr.Negate(child);
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

        private WhereExpr.Compare.Op op(BinaryComparison c) {
            if (c instanceof EqualTo) {
                return WhereExpr.Compare.Op.EQ;
            }
            if (c instanceof LessThan) {
                return WhereExpr.Compare.Op.LT;
            }
            if (c instanceof LessThanOrEqual) {
                return WhereExpr.Compare.Op.LE;
            }
            if (c instanceof GreaterThan) {
                return WhereExpr.Compare.Op.GT;
            }
            if (c instanceof GreaterThanOrEqual) {
                return WhereExpr.Compare.Op.GE;
            }
            throw new IllegalStateException("comparison " + c.symbol() + " not handled; this is a bug");
        }

        private WhereExpr column(UnresolvedAttribute a) {
            List<String> parts = new ArrayList<>(ScalaSeqs.asJava(a.nameParts()));
            String name = parts.get(parts.size() - 1).toLowerCase(Locale.ROOT);
            if (parts.size() != 1 || !name.matches("[a-z_][a-z0-9_]*")) {
                throw refused(text, "'" + a.sql() + "' is not a column name");
            }
            if (!columns.containsKey(name)) {
                throw refused(
                        text,
                        "unknown column " + name + "; the table's columns: " + String.join(", ", columns.keySet()));
            }
            return new WhereExpr.Column(name);
        }

        /** The right side of a division or remainder, refused where it is the number zero. */
        private WhereExpr divisor(Expression e, String problem) {
            WhereExpr divisor = read(e);
            if (divisor instanceof WhereExpr.Value v
                    && v.value() instanceof Number n
                    && new BigDecimal(n.toString()).signum() == 0) {
                throw refused(text, problem);
            }
            return divisor;
        }

        private WhereExpr literal(Literal l) {
            Object v = l.value();
            if (v == null || l.dataType() instanceof NullType) {
                return new WhereExpr.Value(null);
            }
            if (l.dataType() instanceof StringType) {
                String s = v.toString();
                if (s.indexOf('\0') >= 0) {
                    throw refused(text, "a string holds the character U+0000, which no database stores in text");
                }
                return new WhereExpr.Value(s);
            }
            if (l.dataType() instanceof BooleanType) {
                return new WhereExpr.Value(v);
            }
            if (!(l.dataType() instanceof NumericType)) {
                // dates, timestamps and intervals: Spark holds them as numbers of days, microseconds or
                // months, which would reach the databases as plain numbers
                throw refused(
                        text,
                        "the value " + l.sql() + " is not supported: numbers, strings, true, false and" + " null are");
            }
            if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
                return new WhereExpr.Value(((Number) v).longValue());
            }
            if (v instanceof Decimal d) {
                return number(d.toJavaBigDecimal(), l);
            }
            if (v instanceof Double || v instanceof Float) {
                double d = ((Number) v).doubleValue();
                if (!Double.isFinite(d)) {
                    throw refused(text, "the value " + l.sql() + " is not a finite number");
                }
                return number(new BigDecimal(Double.toString(d)), l);
            }
            throw refused(text, "the value " + l.sql() + " is not supported");
        }

        private WhereExpr number(BigDecimal n, Literal l) {
            WhereExpr v = number(n);
            if (v instanceof WhereExpr.Value x
                    && x.value() instanceof BigDecimal d
                    && (d.precision() > 38 || d.scale() > 38 || d.scale() < 0)) {
                throw refused(text, "the value " + l.sql() + " has more than 38 digits");
            }
            return v;
        }

        /** A number: whole numbers in a long's range as a Long, the rest as a BigDecimal. */
        private static WhereExpr number(BigDecimal n) {
            n = n.scale() < 0 ? n.setScale(0) : n;
            if (n.scale() <= 0
                    && n.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0
                    && n.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0) {
                return new WhereExpr.Value(n.longValueExact());
            }
            return new WhereExpr.Value(n);
        }

        private String pattern(String p) {
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) == '\\') {
                    char next = i + 1 < p.length() ? p.charAt(i + 1) : 0;
                    if (next != '%' && next != '_' && next != '\\') {
                        throw refused(
                                text,
                                "in a LIKE pattern a backslash stands before %, _ or another backslash only"
                                        + " (write \\\\\\\\ in the quotes for one backslash)");
                    }
                    i++;
                }
            }
            if (p.indexOf('\0') >= 0) {
                throw refused(text, "a string holds the character U+0000, which no database stores in text");
            }
            return p;
        }

        /** The kind of each node read so far. */
        final IdentityHashMap<WhereExpr, Kind> kinds = new IdentityHashMap<>();

        /** The kind of a node, checking that its parts fit together. */
        Kind kind(WhereExpr e) {
            Kind k = kinds.get(e);
            if (k == null) {
                k = kindOf(e);
                kinds.put(e, k);
            }
            return k;
        }

        private Kind kindOf(WhereExpr e) {
            if (e instanceof WhereExpr.Column c) {
                return columns.get(c.name());
            }
            if (e instanceof WhereExpr.Value v) {
                Object o = v.value();
                if (o == null) {
                    return Kind.NULL;
                }
                if (o instanceof String) {
                    return Kind.TEXT;
                }
                if (o instanceof Boolean) {
                    return Kind.BOOLEAN;
                }
                return o instanceof Long ? Kind.INTEGER : Kind.REAL;
            }
            if (e instanceof WhereExpr.And a) {
                logical(a.left());
                logical(a.right());
                return Kind.BOOLEAN;
            }
            if (e instanceof WhereExpr.Or o) {
                logical(o.left());
                logical(o.right());
                return Kind.BOOLEAN;
            }
            if (e instanceof WhereExpr.Not n) {
                logical(n.child());
                return Kind.BOOLEAN;
            }
            if (e instanceof WhereExpr.Compare c) {
                comparable(c.left(), c.right());
                return Kind.BOOLEAN;
            }
            if (e instanceof WhereExpr.In in) {
                for (WhereExpr x : in.list()) {
                    comparable(in.value(), x);
                }
                return Kind.BOOLEAN;
            }
            if (e instanceof WhereExpr.Between b) {
                comparable(b.value(), b.low());
                comparable(b.value(), b.high());
                return Kind.BOOLEAN;
            }
            if (e instanceof WhereExpr.IsNull n) {
                kind(n.child());
                return Kind.BOOLEAN;
            }
            if (e instanceof WhereExpr.Like l) {
                Kind k = kind(l.value());
                if (k != Kind.TEXT && k != Kind.NULL) {
                    throw refused(text, "LIKE compares text, but " + describe(l.value()) + " is " + name(k));
                }
                return Kind.BOOLEAN;
            }
            if (e instanceof WhereExpr.Arithmetic a) {
                Kind l = number(a.left());
                Kind r = number(a.right());
                if (a.op() == '%' && (l == Kind.REAL || r == Kind.REAL)) {
                    throw refused(text, "% takes whole numbers (the databases round others differently)");
                }
                if (a.op() == '/' || l == Kind.REAL || r == Kind.REAL) {
                    return Kind.REAL;
                }
                return Kind.INTEGER;
            }
            if (e instanceof WhereExpr.Negate n) {
                return number(n.child());
            }
            throw new IllegalStateException("where node " + e + " not handled; this is a bug");
        }

        private void logical(WhereExpr e) {
            Kind k = kind(e);
            if (k != Kind.BOOLEAN && k != Kind.NULL) {
                throw refused(text, describe(e) + " is " + name(k) + ", not a condition");
            }
        }

        private Kind number(WhereExpr e) {
            Kind k = kind(e);
            if (!k.isNumber() && k != Kind.NULL) {
                throw refused(text, "arithmetic takes numbers, but " + describe(e) + " is " + name(k));
            }
            return k == Kind.NULL ? Kind.INTEGER : k;
        }

        private void comparable(WhereExpr a, WhereExpr b) {
            Kind x = kind(a);
            Kind y = kind(b);
            boolean ok = x == Kind.NULL
                    || y == Kind.NULL
                    || x == y
                    || (x.isNumber() && y.isNumber())
                    || (x == Kind.TIME && y == Kind.TEXT && b instanceof WhereExpr.Value)
                    || (y == Kind.TIME && x == Kind.TEXT && a instanceof WhereExpr.Value);
            if (!ok) {
                throw refused(
                        text,
                        "cannot compare " + describe(a) + " (" + name(x) + ") with " + describe(b) + " (" + name(y)
                                + "); quote text, leave numbers unquoted");
            }
        }

        private static String describe(WhereExpr e) {
            if (e instanceof WhereExpr.Column c) {
                return c.name();
            }
            if (e instanceof WhereExpr.Value v) {
                return v.value() instanceof String s ? "'" + s + "'" : String.valueOf(v.value());
            }
            return "an expression";
        }
    }
}
