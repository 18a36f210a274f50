package org.experimenter.store;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.List;

/**
 * The checked tree of a {@code --where} condition: what {@link Where} keeps of the user's text
 * once Spark's parser has read it and every node has passed the rule. It is a value, never text:
 * the store writes it for its database ({@link WhereSql}) and the evaluation builds Spark columns
 * from it, so no string of the user's is ever parsed a second time. A literal is a Java value
 * ({@link String}, {@link Long}, {@link BigDecimal}, {@link Boolean}, or null).
 */
public sealed interface WhereExpr extends Serializable {

    /** The type of a column or value, as the rule checks them: comparisons are between equal kinds. */
    enum Kind {
        INTEGER,
        REAL,
        TEXT,
        BOOLEAN,
        /** A timestamp column: compared with text in the database's own date format. */
        TIME,
        /** The literal NULL, which goes with any kind. */
        NULL;

        public boolean isNumber() {
            return this == INTEGER || this == REAL;
        }
    }

    /** A column of the table, by its lower-case name. */
    record Column(String name) implements WhereExpr {}

    /** A literal value: String, Long, BigDecimal, Boolean or null. */
    record Value(Object value) implements WhereExpr {}

    /** {@code = <> < <= > >=}. */
    record Compare(WhereExpr left, Op op, WhereExpr right) implements WhereExpr {
        public enum Op {
            EQ("="),
            NE("<>"),
            LT("<"),
            LE("<="),
            GT(">"),
            GE(">=");

            public final String sql;

            Op(String sql) {
                this.sql = sql;
            }
        }
    }

    record And(WhereExpr left, WhereExpr right) implements WhereExpr {}

    record Or(WhereExpr left, WhereExpr right) implements WhereExpr {}

    record Not(WhereExpr child) implements WhereExpr {}

    record In(WhereExpr value, List<WhereExpr> list) implements WhereExpr {
        public In {
            list = List.copyOf(list);
        }
    }

    record Between(WhereExpr value, WhereExpr low, WhereExpr high) implements WhereExpr {}

    record IsNull(WhereExpr child, boolean negated) implements WhereExpr {}

    /**
     * {@code LIKE} with a literal pattern: {@code %} any run, {@code _} one character, and a
     * backslash before one of {@code % _ \} for that character itself (any other backslash is
     * refused, since the databases and Spark read it differently).
     */
    record Like(WhereExpr value, String pattern) implements WhereExpr {}

    /** {@code + - * / %} over numbers; division is never integer division. */
    record Arithmetic(WhereExpr left, char op, WhereExpr right) implements WhereExpr {}

    record Negate(WhereExpr child) implements WhereExpr {}
}
