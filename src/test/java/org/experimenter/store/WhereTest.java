package org.experimenter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.experimenter.ExperimenterException;
import org.junit.jupiter.api.Test;

class WhereTest {
    private static final Set<String> COLUMNS = Set.of("id", "seed", "k", "dataset", "score", "status");

    private static String sql(String where) {
        return Where.parse(where, COLUMNS).sql();
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
                "((NOT (dataset LIKE 'ri%' ESCAPE '\\')) AND (score IS NOT NULL))",
                sql("NOT dataset LIKE 'ri%' AND score IS NOT NULL"));
        assertEquals("((NOT (k = 3)) AND (score >= -1.5))", sql("k != 3 AND score >= -1.5"));
        assertEquals("(status = 'error')", sql("STATUS = 'error'"));
    }

    @Test
    void doubleQuotedTextIsAStringAsInSparkSqlAndQuotesAreEscaped() {
        assertEquals("(dataset = 'blobs')", sql("dataset = \"blobs\""));
        assertEquals("(dataset = 'it''s')", sql("dataset = \"it's\""));
    }

    @Test
    void divisionIsNeverIntegerDivision() {
        assertEquals("((k * 1.0 / 2) > 1)", sql("k / 2 > 1"));
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
    }

    @Test
    void unknownColumnsAreNamedWithTheTablesColumns() {
        String m = refused("nope > 1");
        assertTrue(m.startsWith("--where \"nope > 1\": unknown column nope; the table's columns: "), m);
    }
}
