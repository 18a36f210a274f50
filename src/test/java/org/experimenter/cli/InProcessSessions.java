package org.experimenter.cli;

/**
 * For commands run in the test JVM ({@link org.experimenter.testing.InProcessCli}): a command's
 * local Spark context outlives it, as in the daemon, so the next command (and the tests'
 * {@link org.experimenter.testing.TestSpark} session, which the first command finds) does not
 * start Spark again; a command of other settings or another master still gets a context of its own.
 */
public final class InProcessSessions {
    private InProcessSessions() {}

    public static void keepBetweenCommands() {
        SparkSessions.keepBetweenCommands();
    }
}
