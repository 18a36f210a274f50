package org.experimenter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.experimenter.ExperimenterException;
import org.experimenter.store.WhereExpr.Kind;
import org.experimenter.store.dialect.Dialect;
import org.junit.jupiter.api.Test;

class WhereTest {
    private static final Map<String, Kind> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("id", Kind.INTEGER);
        COLUMNS.put("seed", Kind.INTEGER);
        COLUMNS.put("k", Kind.INTEGER);
        COLUMNS.put("dataset", Kind.TEXT);
        COLUMNS.put("score", Kind.REAL);
        COLUMNS.put("status", Kind.TEXT);
        COLUMNS.put("ok", Kind.BOOLEAN);
        COLUMNS.put("start_date", Kind.TIME);
    }

    private static final Dialect SQLITE = Dialect.forUrl("jdbc:sqlite:x.db");
    private static final Dialect POSTGRES = Dialect.forUrl("jdbc:postgresql://h/db");
    private static final Dialect MARIADB = Dialect.forUrl("jdbc:mariadb://h/db");

    private static String sql(String where) {
        return sql(where, SQLITE);
    }

    private static String sql(String where, Dialect d) {
        return WhereSql.of(Where.parse(where, COLUMNS), d);
    }

    private static String refused(String where) {
        return assertThrows(ExperimenterException.class, () -> Where.parse(where, COLUMNS))
                .getMessage();
    }

    @Test
    void comparisonsListsRangesAndPatternsAreWrittenAsPlainSql() {
        assertEquals("((seed < 3) AND (k IN (1, 3, 5)))", sql("seed < 3 AND k IN (1, 3, 5)"));
        assertEquals("((dataset = 'blobs') OR (k BETWEEN 1 AND 5))", sql("dataset = 'blobs' OR k BETWEEN 1 AND 5"));
        assertEquals(
                "((NOT (dataset GLOB 'ri*')) AND (score IS NOT NULL))",
                sql("NOT dataset LIKE 'ri%' AND score IS NOT NULL"));
        assertEquals("((NOT (k = 3)) AND (score >= (-1.5)))", sql("k != 3 AND score >= -1.5"));
        assertEquals("(status = 'error')", sql("STATUS = 'error'"));
    }

    @Test
    void doubleQuotedTextIsAStringAsInSparkSqlAndQuotesAreEscaped() {
        assertEquals("(dataset = 'blobs')", sql("dataset = \"blobs\""));
        assertEquals("(dataset = 'it''s')", sql("dataset = \"it's\""));
    }

    @Test
    void aBackslashIsAValueOnEveryDatabaseAndNeverEndsAString() {
        // Spark's grammar: 'x\\' is x and one backslash
        String attack = "dataset = 'x\\\\' OR dataset = ') OR 1=1 --'";
        assertEquals("((dataset = 'x\\') OR (dataset = ') OR 1=1 --'))", sql(attack, SQLITE));
        assertEquals(
                "((dataset = (_utf8mb4'x\\' COLLATE utf8mb4_nopad_bin))"
                        + " OR (dataset = (_utf8mb4') OR 1=1 --' COLLATE utf8mb4_nopad_bin)))",
                sql(attack, MARIADB));
        // PostgreSQL's escape strings mean the same whatever standard_conforming_strings says
        assertEquals("((dataset = E'x\\\\') OR (dataset = E') OR 1=1 --'))", sql(attack, POSTGRES));
    }

    @Test
    void textIsOrderedByCodePointOnPostgresqlAsInSpark() {
        assertEquals("((dataset COLLATE \"C\") < (E'b' COLLATE \"C\"))", sql("dataset < 'b'", POSTGRES));
        assertEquals("(dataset = E'b')", sql("dataset = 'b'", POSTGRES));
        assertEquals("(start_date > E'2026-01-01')", sql("start_date > '2026-01-01'", POSTGRES));
    }

    @Test
    void likeIsCaseSensitiveOnSqliteToo() {
        assertEquals("(dataset GLOB 'a*[*]?%_')", sql("dataset LIKE 'a%*_\\\\%\\\\_'", SQLITE));
        assertEquals("(dataset LIKE E'a%' ESCAPE E'\\\\')", sql("dataset LIKE 'a%'", POSTGRES));
    }

    @Test
    void negativeNumbersNeverMakeAComment() {
        assertEquals("((k - (-1)) > 0)", sql("k - -1 > 0"));
        assertEquals("((- k) < (-9223372036854775807 - 1))", sql("-k < -9223372036854775808"));
    }

    @Test
    void divisionIsNeverIntegerDivision() {
        // in doubles, as Spark divides; a whole number compared with it as a double too
        assertEquals("(CAST((CAST(k AS REAL) / CAST(2 AS REAL)) AS REAL) > CAST(1 AS REAL))", sql("k / 2 > 1"));
        assertEquals("(((k + 0E0) / (3 + 0E0)) > 0.33333)", sql("k / 3 > 0.33333", MARIADB));
        assertEquals("(CAST(k AS DOUBLE PRECISION) = CAST(1.5 AS DOUBLE PRECISION))", sql("k = 1.5", POSTGRES));
        assertTrue(refused("k / 0 > 1").contains("division by zero"));
        assertTrue(refused("k / 0.0 > 1").contains("division by zero"));
        // the databases and Spark disagree on it: an error, no row, a failed task
        assertTrue(refused("k % 0 = 1").contains("remainder by zero"));
        assertTrue(refused("k % -0 = 1").contains("remainder by zero"));
    }

    @Test
    void datesTimestampsAndIntervalsAreRefusedNotReadAsTheNumbersSparkHoldsThemAs() {
        // Spark holds them as days, microseconds and months: they reached the databases as 9, 3000000, 1, 12
        assertTrue(refused("k < date'1970-01-10'").contains("is not supported"), refused("k < date'1970-01-10'"));
        assertTrue(refused("k < interval 3 seconds").contains("is not supported"));
        assertTrue(refused("k = timestamp'1970-01-01 00:00:00.000001'").contains("is not supported"));
        assertTrue(refused("k < interval '1' year").contains("is not supported"));
        assertEquals("(k < 9)", sql("k < 9"));
    }

    @Test
    void statementsCommentsSubqueriesAndFunctionsAreRefused() {
        String m = refused("seed < 3) LIMIT 1; DROP TABLE victim; SELECT (1");
        assertTrue(
                m.startsWith("--where \"seed < 3) LIMIT 1; DROP TABLE victim; SELECT (1\": not one boolean expression"),
                m);
        assertTrue(refused("seed < 3; DROP TABLE victim").contains("not one boolean expression"));
        assertEquals("(seed < 3)", sql("seed < 3 -- and the rest"), "a comment never reaches the database");
        assertTrue(refused("id IN (SELECT id FROM victim)").contains("is not allowed"));
        assertTrue(refused("abs(k) < 2").contains("functions such as abs(...) are not allowed"));
        assertTrue(refused("victim.k < 2").contains("is not a column name"));
        assertTrue(refused("raise_error('x') IS NULL").contains("functions such as raise_error"));
    }

    @Test
    void kindsMustAgreeSinceDatabasesAndSparkConvertMixedKindsDifferently() {
        assertTrue(refused("dataset = 3").contains("cannot compare dataset (text) with 3 (a number)"));
        assertTrue(refused("k = '3'").contains("cannot compare k (a number) with '3' (text)"));
        assertTrue(refused("dataset + 1 > 2").contains("arithmetic takes numbers, but dataset is text"));
        assertTrue(refused("k LIKE '1%'").contains("LIKE compares text, but k is a number"));
        assertTrue(refused("score % 2 = 1").contains("% takes whole numbers"));
        assertTrue(refused("k + 1").contains("not a condition"));
        assertTrue(refused("k AND ok").contains("k is a number, not a condition"));
        assertEquals("((ok = TRUE) OR ok)", sql("ok = TRUE OR ok"));
    }

    @Test
    void likePatternsAreLiteralsWithEscapesThatMeanTheSameEverywhere() {
        assertTrue(refused("dataset LIKE dataset").contains("the pattern of LIKE is a string in quotes"));
        assertTrue(refused("dataset LIKE 'a\\\\b'").contains("a backslash stands before %, _ or another backslash"));
        assertTrue(refused("dataset LIKE 'a\\\\'").contains("a backslash stands before"));
        assertTrue(refused("dataset LIKE 'a' ESCAPE '#'").contains("ESCAPE is not supported"));
    }

    @Test
    void valuesNoDatabaseStoresAreRefused() {
        String nul = refused("dataset = 'a\\u0000b'");
        assertTrue(nul.contains("U+0000"), nul);
        String huge = refused("score < 1e300");
        assertTrue(huge.contains("not a finite number") || huge.contains("more than 38 digits"), huge);
    }

    @Test
    void aDeeplyNestedOrHugeConditionIsOneLineNotAStackTrace() {
        String deep = "(".repeat(4_900) + "k = 1" + ")".repeat(4_900);
        String m = assertThrows(ExperimenterException.class, () -> Where.parse(deep, COLUMNS))
                .getMessage();
        assertTrue(m.length() < 400 && !m.contains("\n"), m);
        String huge = "k = 1" + " OR k = 1".repeat(2_000);
        assertTrue(refused(huge).contains("a condition has at most 10000"));
    }

    @Test
    void unknownColumnsAreNamedWithTheTablesColumns() {
        String m = refused("nope > 1");
        assertTrue(m.startsWith("--where \"nope > 1\": unknown column nope; the table's columns: "), m);
    }
}
