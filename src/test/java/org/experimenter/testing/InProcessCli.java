package org.experimenter.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.experimenter.cli.InProcessSessions;
import org.experimenter.cli.Main;

/**
 * Runs a command of the command line in this JVM: exit code, standard output and standard error.
 * One at a time: the standard streams are the JVM's. A command's local Spark context stays up for
 * the next ({@link InProcessSessions}).
 */
public final class InProcessCli {
    private InProcessCli() {}

    public static synchronized String[] run(String... args) {
        InProcessSessions.keepBetweenCommands();
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new String[] {
                String.valueOf(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)
            };
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
