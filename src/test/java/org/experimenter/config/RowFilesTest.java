// Reading explicit rows from CSV and JSON text: values typed by keyfields, and the file and
// line in every error.
package org.experimenter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.experimenter.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RowFilesTest {
    @TempDir
    Path dir;

    private static final ExperimentConfig CONFIG = ExperimentConfig.parse(
            String.join(
                    "\n",
                    "database.table = rows",
                    "keyfields {",
                    "  x { type = int, values = [1] }",
                    "  tag { type = string, values = [a] }",
                    "  flag { type = boolean, values = [true] }",
                    "}"),
            "rows.conf");

    private static String csvError(String text) {
        return assertThrows(InvalidConfigException.class, () -> RowFiles.csv("rows.csv", text, CONFIG))
                .getMessage();
    }

    private static String jsonError(String text) {
        return assertThrows(InvalidConfigException.class, () -> RowFiles.json("rows.json", text, CONFIG))
                .getMessage();
    }

    @Test
    void csvValuesAreTypedAndQuotedValuesKeepCommasQuotesAndNewlines() {
        String text = "tag,x,flag\n\"a, \"\"b\"\"\",1,true\r\n\n\"two\nlines\",2,0\nplain,3,false";

        List<Map<String, ?>> rows = RowFiles.csv("rows.csv", text, CONFIG);

        assertEquals(
                List.of(
                        Map.of("tag", "a, \"b\"", "x", 1, "flag", true),
                        Map.of("tag", "two\nlines", "x", 2, "flag", false),
                        Map.of("tag", "plain", "x", 3, "flag", false)),
                rows);
    }

    @Test
    void aCsvValueOfTheWrongTypeNamesItsLineAndField() {
        assertEquals("rows.csv: 3: x: expected int, found 'six'", csvError("x,tag,flag\n5,a,1\nsix,b,1\n"));
    }

    @Test
    void aCsvLineNumberCountsTheLinesOfQuotedValuesBeforeIt() {
        String m = csvError("x,tag,flag\n1,\"two\nlines\",1\n2,b,maybe\n");
        assertEquals("rows.csv: 4: flag: expected boolean, found 'maybe'", m);
    }

    @Test
    void aCsvRowWithTooFewOrTooManyValuesIsRefused() {
        assertEquals("rows.csv: 3: 2 values; the header has 3", csvError("x,tag,flag\n1,a,1\n2,b\n"));
        assertEquals("rows.csv: 2: 4 values; the header has 3", csvError("x,tag,flag\n1,a,1,extra\n"));
    }

    @Test
    void aCsvQuoteThatIsNeverClosedIsRefused() {
        assertEquals("rows.csv: a quoted value is not closed", csvError("x,tag,flag\n1,\"open,1\n2,b,1\n"));
    }

    @Test
    void aCsvHeaderMustNameEveryKeyfieldAndNothingElse() {
        assertEquals("rows.csv: empty file; expected a header naming the keyfields", csvError(""));
        assertEquals(
                "rows.csv: 1: column 4 ' colour' is not a keyfield; the keyfields are [x, tag, flag]",
                csvError("x, tag ,flag, colour\n"));
        assertEquals("rows.csv: 1: no column for keyfield 'flag'", csvError("x,tag\n1,a\n"));
    }

    @Test
    void jsonRowsComeAsAnArrayOrOneObjectALine() {
        List<Map<String, ?>> expected =
                List.of(Map.of("x", 3, "tag", "Grüße", "flag", true), Map.of("x", 4, "tag", "7"));

        String array = "[\n {\"x\": 3, \"tag\": \"Grüße\", \"flag\": 1},\n {\"x\": 4, \"tag\": 7}\n]\n";
        String lines = "{\"x\": 3, \"tag\": \"Grüße\", \"flag\": true}\n\n{\"x\": 4, \"tag\": 7}\n";

        assertEquals(expected, RowFiles.json("rows.json", array, CONFIG));
        assertEquals(expected, RowFiles.json("rows.json", lines, CONFIG));
        assertEquals(List.of(), RowFiles.json("rows.json", "[]", CONFIG));
    }

    @Test
    void aJsonSyntaxErrorNamesItsLine() {
        String m = jsonError("[\n {\"x\": 1},\n {\"x\": 2 \"tag\": \"b\"}\n]\n");
        assertTrue(m.startsWith("rows.json: 3: Unexpected character"), m);
        assertEquals(1, m.lines().count(), m);
    }

    @Test
    void aJsonRowMustBeAnObjectOfKeyfields() {
        assertEquals("rows.json: 2: expected an object of keyfield values, found list", jsonError("{\"x\": 1}\n[1]\n"));
        assertEquals(
                "rows.json: 2: 'color' is not a keyfield; the keyfields are [x, tag, flag]",
                jsonError("{\"x\": 5, \"tag\": \"a\"}\n{\"x\": 6, \"color\": \"b\"}\n"));
    }

    @Test
    void aJsonValueOfTheWrongTypeNamesTheLineOfTheValue() {
        String m = jsonError("[\n {\"tag\": \"a\",\n  \"x\": 2.5}\n]");
        assertEquals("rows.json: 3: x: expected int, found Double 2.5", m);
    }

    @Test
    void aFileIsReadByItsExtension() throws Exception {
        Path csv = Files.writeString(dir.resolve("rows.CSV"), "x,tag,flag\n1,a,1\n");
        assertEquals(List.of(Map.of("x", 1, "tag", "a", "flag", true)), RowFiles.read(csv, CONFIG));
        Path jsonl = Files.writeString(dir.resolve("rows.jsonl"), "{\"x\": 1}\n");
        assertEquals(List.of(Map.of("x", 1)), RowFiles.read(jsonl, CONFIG));

        Path txt = Files.writeString(dir.resolve("rows.txt"), "x\n1\n");
        String m = assertThrows(InvalidConfigException.class, () -> RowFiles.read(txt, CONFIG))
                .getMessage();
        assertEquals(txt + ": expected a .csv, .json or .jsonl file", m);
    }
}
