package org.experimenter.cli;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.experimenter.ExperimenterException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.web.WebServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter serve}: a web view of the experiment table, until Ctrl-C. */
@Command(
        name = "serve",
        description = "Serve a web view of the experiments: overview (live), table, failures, evaluation, plots"
                + " and one row; read-only unless --allow-actions.")
final class ServeCommand implements Callable<Integer> {
    /** Where the token may come from instead of the command line, which other users of the machine can read. */
    static final String TOKEN_VARIABLE = "EXPERIMENTER_TOKEN";

    @Mixin
    CommonOptions common;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "The address to listen on (default: 127.0.0.1). Any other than a loopback address needs"
                    + " a token.")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "The port (default: 8080; 0 picks a free one).")
    int port;

    @Option(
            names = "--token",
            description = "The token browsers must send (default: $" + TOKEN_VARIABLE + ", else a random one when"
                    + " --host is not a loopback address).")
    String token;

    @Option(
            names = "--allow-actions",
            description = "Allow resetting and unpausing rows from the page (POSTs with a CSRF token, each logged).")
    boolean allowActions;

    @Option(
            names = "--refresh",
            defaultValue = "2s",
            description = "How often the table is looked at for the live overview (default: 2s).")
    String refresh;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new ExperimenterException("--port " + port + ": expected 0 to 65535");
        }
        Duration every = duration(refresh);
        String given = token != null ? token : System.getenv(TOKEN_VARIABLE);
        if (given != null && given.length() < 16) {
            throw new ExperimenterException("--token: at least 16 characters, so that it cannot be guessed");
        }
        ExperimentConfig c = common.experimenter().config();
        WebServer server = WebServer.start(
                c,
                new WebServer.Options(host, port, given, allowActions, every, common.config.toString()),
                () -> SparkSessions.open(c, WebServer.SPARK_DEFAULTS),
                true);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        System.out.println("serving " + c.table() + " at " + server.url()
                + (allowActions ? " (actions allowed)" : " (read-only)") + "; Ctrl-C stops");
        System.out.flush();
        stopped.await();
        return 0;
    }

    private static Duration duration(String text) {
        Duration d;
        try {
            d = ConfigFactory.parseString("d = " + text).getDuration("d");
        } catch (ConfigException e) {
            throw new ExperimenterException("--refresh " + text + ": expected a duration such as 2s or 500ms");
        }
        if (d.toMillis() < 200 || d.toHours() > 1) {
            throw new ExperimenterException("--refresh " + text + ": expected 200ms to 1h");
        }
        return d;
    }
}
