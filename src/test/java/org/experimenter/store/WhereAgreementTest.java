package org.experimenter.store;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.experimenter.ExperimenterException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.eval.Evaluation;
import org.experimenter.eval.WhereColumn;
import org.experimenter.spark.SparkTables;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@code --where} rule means the same on every database and in Spark: generated conditions
 * over hostile values (quotes, backslashes, LIKE's own characters, unicode, NULLs, numbers at
 * the edges of a long) select the same ids from the database (the store's SQL) and from Spark
 * (the evaluation's columns), and no value ever runs as SQL.
 */
class WhereAgreementTest {
    /** Values that broke quoting before, or that the databases read differently if not written with care. */
    static final List<String> NAMES = List.of(
            "plain",
            "it's",
            "x\\",
            "a\\'b",
            "b\\\\",
            "%",
            "_",
            "a%b",
            "A_b",
            "ab",
            "AB",
            "Grüße 😀",
            "",
            " ",
            "a ",
            "B",
            "b",
            "') OR (raise_error('boom')) --",
            "\\%",
            "line\nbreak",
            "\"dq\"",
            "ß",
            "日本",
            "[*?]");

    static final long[] NUMBERS = {Long.MIN_VALUE, -1, 0, 7, Long.MAX_VALUE};

    static final int ROUNDS = 200;

    @TempDir
    Path dir;

    private final Random random = new Random(20261204);

    @ParameterizedTest
    @EnumSource(TestDb.class)
    void generatedConditionsSelectTheSameIdsOnTheDatabaseAndInSpark(TestDb db) throws Exception {
        StringBuilder names = new StringBuilder();
        for (String n : NAMES) {
            names.append(names.length() == 0 ? "" : ", ").append(hocon(n));
        }
        StringBuilder numbers = new StringBuilder();
        for (long n : NUMBERS) {
            numbers.append(numbers.length() == 0 ? "" : ", ").append(n);
        }
        ExperimentConfig config = db.config(
                dir,
                TestDb.uniqueTable("agree"),
                "keyfields { name { type = string, values = [" + names + "] },"
                        + " n { type = long, values = [" + numbers + "] },"
                        + " k { type = int, values = [0, 1, 2, 3] },"
                        + " x { type = double, values = [0.1, -2.5, 9007199254740992.0] } }\n"
                        + "resultfields { score = double, note = string }\n");
        ExperimentStore store = new ExperimentStore(config);
        store.createTableIfMissing();
        try {
            store.fill(config.grid().iterator());
            try (Connection c = store.connect();
                    PreparedStatement ps = c.prepareStatement(
                            "UPDATE " + config.table() + " SET score = ?, note = ? WHERE id % 3 = ?")) {
                // a third with values, a third with other values, a third without any (NULL)
                ps.setDouble(1, 0.25);
                ps.setString(2, "it's");
                ps.setInt(3, 0);
                ps.executeUpdate();
                ps.setDouble(1, 0.75);
                ps.setString(2, "x\\");
                ps.setInt(3, 1);
                ps.executeUpdate();
            }
            List<String> texts = new ArrayList<>();
            List<Where> wheres = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                String text = condition(3);
                try {
                    wheres.add(store.where(text));
                    texts.add(text);
                } catch (ExperimenterException e) {
                    // refused by the rule: nothing to compare
                }
            }
            // Spark: one job evaluates every condition on every row (a filter keeps the rows where it is true)
            List<Column> columns = new ArrayList<>(List.of(col("id")));
            for (Where w : wheres) {
                columns.add(coalesce(WhereColumn.of(w), lit(false)));
            }
            List<Row> rows = SparkTables.table(TestSpark.session(), config)
                    .select(columns.toArray(new Column[0]))
                    .collectAsList();
            for (int i = 0; i < wheres.size(); i++) {
                String text = texts.get(i);
                TreeSet<Long> onDatabase = new TreeSet<>();
                String sql = WhereSql.of(wheres.get(i), store.dialect());
                try (Connection c = store.connect();
                        var rs = c.createStatement()
                                .executeQuery("SELECT id FROM " + config.table() + " WHERE " + sql)) {
                    while (rs.next()) {
                        onDatabase.add(rs.getLong(1));
                    }
                } catch (Exception e) {
                    throw new AssertionError(db + ": " + text + "\nas SQL: " + sql + "\n" + e, e);
                }
                TreeSet<Long> inSpark = new TreeSet<>();
                for (Row r : rows) {
                    if (r.getBoolean(i + 1)) {
                        inSpark.add(r.getLong(0));
                    }
                }
                assertEquals(onDatabase, inSpark, db + ": " + text + "\nas SQL: " + sql);
            }
            int compared = wheres.size();
            assertTrue(compared > ROUNDS * 3 / 4, "compared " + compared + " of " + ROUNDS);
        } finally {
            store.drop();
        }
    }

    /** The condition that read a file and called Java methods through eval: its values stay values. */
    @ParameterizedTest
    @EnumSource(TestDb.class)
    void aValueEndingInABackslashNeverTurnsTheRestIntoSql(TestDb db) {
        ExperimentConfig config = db.config(
                dir,
                TestDb.uniqueTable("inject"),
                "keyfields { dataset { type = string, values = [a, b] } }\nresultfields { score = double }\n");
        ExperimentStore store = new ExperimentStore(config);
        store.createTableIfMissing();
        try {
            store.fill(config.grid().iterator());
            String attack = "status = 'x\\\\' OR status = ') OR (raise_error(concat(\"user.name=\","
                    + " java_method(\"java.lang.System\",\"getProperty\",\"user.name\"), \" f=\", (SELECT first(value)"
                    + " FROM text.`/etc/hostname`))))) --'";
            Evaluation eval = new Evaluation(TestSpark.session(), config)
                    .countingWith(store)
                    .where(attack);
            String m = assertThrows(ExperimenterException.class, eval::collect).getMessage();
            assertTrue(m.startsWith("nothing to evaluate: table " + config.table() + " has no rows matching"), m);
            assertTrue(!m.contains("user.name=" + System.getProperty("user.name")), m);
            // the same in Spark without the store's count
            String m2 = assertThrows(
                            ExperimenterException.class,
                            () -> new Evaluation(TestSpark.session(), config)
                                    .where(attack)
                                    .collect())
                    .getMessage();
            assertTrue(m2.startsWith("nothing to evaluate"), m2);
            // LIKE and a backslash at the end of a value, which Spark could not read before
            store.admin().resetWhere(store.where("dataset LIKE 'a%' OR dataset = 'b\\\\'"));
            assertEquals(
                    java.util.Map.of("created", 1L),
                    new Evaluation(TestSpark.session(), config)
                            .where("dataset LIKE 'a%'")
                            .leftOut());
        } finally {
            store.drop();
        }
    }

    // ---- the generator ------------------------------------------------------------------------

    private String condition(int depth) {
        int pick = random.nextInt(depth <= 0 ? 17 : 21);
        return switch (pick) {
            case 0 -> "name " + pickOf("=", "<>", "!=", "<", "<=", ">", ">=") + " " + string();
            case 1 -> "name LIKE " + pattern();
            case 2 -> "name IN (" + string() + ", " + string() + (random.nextBoolean() ? ", NULL)" : ")");
            case 3 -> "name BETWEEN " + string() + " AND " + string();
            case 4 -> "n " + pickOf("=", "<>", "<", "<=", ">", ">=") + " " + number();
            case 5 -> "n BETWEEN " + number() + " AND " + number();
            case 6 ->
                "k " + pickOf("+", "-", "*") + " " + random.nextInt(4) + " " + pickOf("=", "<", ">=") + " "
                        + (random.nextInt(9) - 2);
            case 7 -> "k % " + (1 + random.nextInt(3)) + " = " + random.nextInt(2);
            case 8 -> "k / 2 " + pickOf("=", "<", ">=") + " " + pickOf("0", "1", "0.5", "1.5");
            case 9 -> "score " + pickOf("IS NULL", "IS NOT NULL", "> 0.5", "= 0.25", "<> 0.75", "< 1e0");
            case 10 -> "note " + pickOf("=", "<>", "<", ">") + " " + string();
            case 11 -> "note " + pickOf("IS NULL", "IS NOT NULL") + " AND -k < " + (random.nextInt(4) - 3);
            case 12 -> "k IN (" + random.nextInt(4) + ", " + random.nextInt(4) + ", NULL)";
            case 13 -> "status = " + string() + " OR name = " + string();
            case 14 ->
                "x " + pickOf("=", "<", ">=", "<>") + " "
                        + pickOf("9007199254740993", "9007199254740992", "0.1", "-2.5", "0", "1e0", "-3");
            case 15 ->
                "k / 3 " + pickOf("=", ">", "<") + " "
                        + pickOf("0.33333", "0.33333333333333333", "0.3333333333333333", "1", "0.6666666666666666");
            case 16 -> string() + pickOf(" = ", " < ", " LIKE ") + string() + " AND k = " + random.nextInt(4);
            case 17 -> "NOT (" + condition(depth - 1) + ")";
            case 18 -> "(" + condition(depth - 1) + ") OR (" + condition(depth - 1) + ")";
            default -> "(" + condition(depth - 1) + ") AND (" + condition(depth - 1) + ")";
        };
    }

    private String pickOf(String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private String number() {
        long n = random.nextInt(3) == 0 ? NUMBERS[random.nextInt(NUMBERS.length)] : random.nextInt(20) - 10;
        return n == Long.MIN_VALUE ? "-9223372036854775808" : Long.toString(n);
    }

    /** A string literal in Spark's grammar: one of the table's values, a near miss, or a hostile one. */
    private String string() {
        String v = NAMES.get(random.nextInt(NAMES.size()));
        if (random.nextInt(4) == 0) {
            v = v + pickOf("'", "\\", "' OR 1=1 --", "%", "x");
        }
        return sparkLiteral(v);
    }

    private String pattern() {
        StringBuilder p = new StringBuilder();
        int parts = 1 + random.nextInt(4);
        for (int i = 0; i < parts; i++) {
            p.append(pickOf("%", "_", "a", "A", "b", "\\%", "\\_", "\\\\", "'", "Grü", "😀", "*", "[", "?", " "));
        }
        // the pattern as the user types it: LIKE's escapes are backslashes inside Spark's string
        StringBuilder typed = new StringBuilder("'");
        for (char c : p.toString().toCharArray()) {
            typed.append(c == '\\' ? "\\\\" : c == '\'' ? "\\'" : String.valueOf(c));
        }
        return typed.append("'").toString();
    }

    /** A value as Spark's grammar reads it back: in single or double quotes, backslash escapes. */
    static String sparkLiteral(String v) {
        boolean dq = v.hashCode() % 2 == 0;
        char q = dq ? '"' : '\'';
        StringBuilder b = new StringBuilder().append(q);
        for (char c : v.toCharArray()) {
            if (c == '\\' || c == q) {
                b.append('\\');
            }
            b.append(c == '\n' ? "\\n" : String.valueOf(c));
        }
        return b.append(q).toString();
    }

    private static String hocon(String v) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
