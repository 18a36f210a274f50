package org.experimenter.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure parts of a command run: encodings, exit texts, the events JSON. */
class CommandAttemptTest {
    @Test
    void textTheJvmCannotEncodeIsRefusedSayingHowToFixIt() {
        CommandFailure e = assertThrows(
                CommandFailure.class,
                () -> CommandAttempt.checkEncodable(List.of("python3", "café"), Map.of(), StandardCharsets.US_ASCII));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "\"café\" cannot be passed to a process by this JVM, whose charset is US-ASCII: run it with -Dfile.encoding=UTF-8"),
                e.getMessage());
        CommandAttempt.checkEncodable(List.of("python3", "café"), Map.of("V", "日本"), StandardCharsets.UTF_8);
    }

    @Test
    void exitCodesAboveOneHundredTwentyEightAreReportedAsSignals() {
        assertEquals("the command exited with code 2", CommandAttempt.exitText(2));
        assertEquals("the command was killed by signal 15 (SIGTERM), exit code 143", CommandAttempt.exitText(143));
        assertEquals("the command was killed by signal 11 (SIGSEGV), exit code 139", CommandAttempt.exitText(139));
    }

    @Test
    void jsonAsPythonWritesItIsReadNanAndInfinityIncluded() throws Exception {
        Map<String, Object> m = Json.object("{\"a\": NaN, \"b\": -Infinity, \"c\": 3, \"d\": \"日本\"}");
        assertTrue(Double.isNaN((Double) m.get("a")));
        assertEquals(Double.NEGATIVE_INFINITY, m.get("b"));
        assertEquals(3, m.get("c"));
        assertEquals("日本", m.get("d"));
        assertEquals(
                "expected a JSON object, found an array: [1, 2]",
                assertThrows(Json.NotAnObject.class, () -> Json.object("[1, 2]"))
                        .getMessage());
    }
}
