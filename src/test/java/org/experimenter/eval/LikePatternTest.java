package org.experimenter.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.experimenter.store.Where;
import org.experimenter.store.WhereExpr;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.Test;

/** LIKE of the --where rule in Spark: as the databases match it, in time that does not explode. */
class LikePatternTest {
    /** LIKE as a regular expression over characters (code points, as the databases): the reference on short texts. */
    private static boolean reference(String pattern, String text) {
        StringBuilder re = new StringBuilder("(?s)");
        int[] cps = pattern.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            if (c == '\\') {
                re.append(Pattern.quote(Character.toString(cps[++i])));
            } else if (c == '%') {
                re.append(".*");
            } else if (c == '_') {
                re.append('.');
            } else {
                re.append(Pattern.quote(Character.toString(c)));
            }
        }
        return Pattern.compile(re.toString()).matcher(text).matches();
    }

    @Test
    void matchesAsTheRegularExpressionOnRandomPatternsAndTexts() {
        Random random = new Random(7);
        String[] pieces = {"a", "b", "%", "_", "\\%", "\\_", "\\\\", "é", "😀", "\n"};
        String[] chars = {"a", "b", "%", "_", "\\", "é", "😀", "\n"};
        for (int round = 0; round < 20_000; round++) {
            StringBuilder p = new StringBuilder();
            for (int i = random.nextInt(7); i > 0; i--) {
                p.append(pieces[random.nextInt(pieces.length)]);
            }
            StringBuilder t = new StringBuilder();
            for (int i = random.nextInt(8); i > 0; i--) {
                t.append(chars[random.nextInt(chars.length)]);
            }
            assertEquals(
                    reference(p.toString(), t.toString()),
                    new LikePattern(p.toString()).matches(t.toString()),
                    "'" + t + "' LIKE '" + p + "'");
        }
        assertNull(new LikePattern("%a%b").matches(null));
    }

    @Test
    void aPatternOfManyWildcardsOverLongTextsEndsAtOnce() {
        Where w = Where.parse("name LIKE '%e%e%e%e%e%e%x'", Map.of("name", WhereExpr.Kind.TEXT));
        Dataset<Row> texts = TestSpark.session()
                .createDataset(List.of("e".repeat(3000), "f", "e".repeat(2000) + "x"), Encoders.STRING())
                .toDF("name");
        // before, Spark's backtracking regular expression took hours over the 3000 e's
        long n = assertTimeoutPreemptively(
                Duration.ofSeconds(60), () -> texts.where(WhereColumn.of(w)).count());
        assertEquals(1, n);
    }
}
