package org.experimenter.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.experimenter.Experimenter;
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
