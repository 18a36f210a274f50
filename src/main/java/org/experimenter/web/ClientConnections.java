package org.experimenter.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The connections one client may hold: at most {@code perClient} from one address (the ones over
 * it are closed as they open), and each must have sent the headers of its first request within
 * {@code requestTime}. An unfinished request holds no thread in Jetty, only a socket; these two
 * bounds keep one client from holding many sockets for long. Later requests on a kept-alive
 * connection are bounded by the connector's idle timeout.
 */
final class ClientConnections implements Connection.Listener {
    private final int perClient;
    private final Duration requestTime;
    private final Scheduler scheduler;
    private final Map<InetAddress, Integer> open = new ConcurrentHashMap<>();

    ClientConnections(int perClient, Duration requestTime, Scheduler scheduler) {
        this.perClient = perClient;
        this.requestTime = requestTime;
        this.scheduler = scheduler;
    }

    @Override
    public void onOpened(Connection c) {
        InetAddress client = client(c);
        if (open.merge(client, 1, Integer::sum) > perClient) {
            c.getEndPoint().close();
            return;
        }
        scheduler.schedule(
                () -> {
                    // a connection counts its requests once their headers are read
                    if (c.getMessagesIn() == 0) {
                        c.getEndPoint().close();
                    }
                },
                requestTime.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void onClosed(Connection c) {
        open.computeIfPresent(client(c), (k, n) -> n == 1 ? null : n - 1);
    }

    private static InetAddress client(Connection c) {
        SocketAddress a = c.getEndPoint().getRemoteSocketAddress();
        return a instanceof InetSocketAddress i ? i.getAddress() : InetAddress.getLoopbackAddress();
    }
}
