package org.experimenter.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.experimenter.Experimenter;
import org.experimenter.InvalidConfigException;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands run by run-one (in this process, without Spark): a shell command in no particular
 * language, its values quoted for the shell and substituted into the environment, and a
 * program that does not exist.
 */
class CommandRunOneTest {
    @TempDir
    Path dir;

    private Experimenter experimenter(String experiment) {
        return Experimenter.of(TestDb.SQLITE.config(
                dir,
                TestDb.uniqueTable("command_one"),
                "keyfields { what { type = string, values = [a] } }\nresultfields { echo = string }\n"
                        + "experiment { run-dir = \"" + dir.resolve("runs") + "\"\n" + experiment + "\n}\n"));
    }

    @Test
    void aShellCommandGetsItsValuesQuotedAndInItsEnvironment() {
        Experimenter ex = experimenter(
                String.join(
                        "\n",
                        "shell = true",
                        "environment { GREETING = \"hello {what}\" }",
                        // printf's own arguments: the value quoted by the tool, the variable by the shell
                        "command = \"printf '{{\\\"echo\\\": \\\"%s|%s\\\"}}' {what} \\\"$GREETING\\\" > \\\"$EXPERIMENTER_RESULT_FILE\\\"\""));
        Map<String, Object> row = ex.runOne(Map.of("what", "it's $HOME; `x`"), ex.experimentFromConfig());
        assertEquals("done", row.get("status"), String.valueOf(row.get("error")));
        assertEquals("it's $HOME; `x`|hello it's $HOME; `x`", row.get("echo"));
    }

    /** Shell syntax of every kind, and a newline, in one value. */
    static final String HOSTILE = "a'b\"c $(touch INJECTED1) `touch INJECTED2`; touch INJECTED3 |\n"
            + "${HOME} \\ * \"; touch INJECTED4; \" ' touch INJECTED5 ' end";

    @Test
    void aValueRunsAsNoCodeWhereverTheShellCommandPlacesItAndArrivesByteForByte() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Experimenter ex = experimenter(String.join(
                "\n",
                "shell = true",
                "working-dir = \"" + work + "\"",
                "command = [",
                "  \"printf '%s' {what} > bare;\"",
                "  \"printf '%s' \\\"training {what}!\\\" > quoted;\"",
                "  \"printf '%s' --what={what} > word;\"",
                "  \"printf '%s' {args} > args;\"",
                "  \"x=$(printf '%s' {what}); printf '%s' \\\"$x\\\" > substituted;\"",
                "  \"echo '{{\\\"echo\\\": \\\"ok\\\"}}' > \\\"$EXPERIMENTER_RESULT_FILE\\\"\"",
                "]"));
        Map<String, Object> row = ex.runOne(Map.of("what", HOSTILE), ex.experimentFromConfig());
        assertEquals("done", row.get("status"), String.valueOf(row.get("error")));
        try (var files = Files.list(work)) {
            assertEquals(
                    List.of("args", "bare", "quoted", "substituted", "word"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(),
                    "no file but the command's own was made");
        }
        assertEquals(HOSTILE, Files.readString(work.resolve("bare")));
        assertEquals("training " + HOSTILE + "!", Files.readString(work.resolve("quoted")));
        assertEquals("--what=" + HOSTILE, Files.readString(work.resolve("word")));
        assertEquals("--what=" + HOSTILE, Files.readString(work.resolve("args")));
        assertEquals(HOSTILE, Files.readString(work.resolve("substituted")));
    }

    @Test
    void aPlaceholderInsideSingleQuotesOfAShellCommandFailsTheLoadNamingTheElement() {
        InvalidConfigException e = assertThrows(
                InvalidConfigException.class,
                () -> experimenter("shell = true\ncommand = [\"echo\", \"'seed {what}'\"]"));
        assertTrue(
                e.getMessage()
                        .contains("experiment.command: element 2 \"'seed {what}'\": {what} is inside single quotes,"),
                e.getMessage());
    }

    @Test
    void aProgramThatDoesNotExistEndsTheRowSayingSo() {
        Experimenter ex = experimenter("command = [/no/such/program, \"{what}\"]");
        Map<String, Object> row = ex.runOne(Map.of("what", "a"), ex.experimentFromConfig());
        assertEquals("error", row.get("status"));
        String error = String.valueOf(row.get("error"));
        assertTrue(error.startsWith("cannot start the command /no/such/program a on "), error);
        assertTrue(error.contains("No such file or directory"), error);
    }
}
