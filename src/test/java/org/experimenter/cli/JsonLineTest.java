package org.experimenter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one-line JSON objects of status --json and run-one --json. */
class JsonLineTest {
    @Test
    void valuesKeepTheMapsOrderWithASpaceAfterColonsAndCommas() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 1L);
        row.put("seed", 7);
        row.put("score", 127.0);
        row.put("ratio", 0.5f);
        row.put("cost", new BigDecimal("2.50"));
        row.put("ok", true);
        row.put("error", null);
        row.put("status", "done");
        assertEquals(
                "{\"id\": 1, \"seed\": 7, \"score\": 127.0, \"ratio\": 0.5, \"cost\": 2.50, \"ok\": true, \"error\": null,"
                        + " \"status\": \"done\"}",
                JsonLine.of(row));
        assertEquals("{}", JsonLine.of(Map.of()));
    }

    @Test
    void stringsAreEscapedAndNonAsciiIsKept() {
        assertEquals(
                "{\"error\": \"line 1\\nsaid \\\"no\\\"\\tin C:\\\\tmp \\u0001 ± é\"}",
                JsonLine.of(Map.of("error", "line 1\nsaid \"no\"\tin C:\\tmp \u0001 ± é")));
    }

    @Test
    void aNumberThatIsNotFiniteBecomesAString() {
        // JSON has no NaN; Jackson quotes it rather than write invalid JSON
        assertEquals("{\"score\": \"NaN\"}", JsonLine.of(Map.of("score", Double.NaN)));
        assertEquals("{\"loss\": \"-Infinity\"}", JsonLine.of(Map.of("loss", Double.NEGATIVE_INFINITY)));
    }
}
