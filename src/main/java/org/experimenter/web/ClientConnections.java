package org.experimenter.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The connections one client may hold: at most {@code perClient} from one address, and each must
 * have sent the headers of its first request within {@code requestTime}. An unfinished request
 * holds no thread in Jetty, only a socket; these two bounds keep one client from holding many
 * sockets for long. Over the bound, the client's oldest connection that has not sent a request
 * yet is closed to make room (so that the client's own page still gets in beside idle sockets it
 * opened), or the new one when all of them have. Later requests on a kept-alive connection are
 * bounded by the connector's idle timeout.
 */
final class ClientConnections implements Connection.Listener {
    private final int perClient;
    private final Duration requestTime;
    private final Scheduler scheduler;
    /** Each client's connections, oldest first. */
    private final Map<InetAddress, Deque<Connection>> open = new HashMap<>();

    ClientConnections(int perClient, Duration requestTime, Scheduler scheduler) {
        this.perClient = perClient;
        this.requestTime = requestTime;
        this.scheduler = scheduler;
    }

    @Override
    public void onOpened(Connection c) {
        Connection close = null;
        synchronized (open) {
            Deque<Connection> mine = open.computeIfAbsent(client(c), k -> new ArrayDeque<>());
            mine.addLast(c);
            if (mine.size() > perClient) {
                close = c;
                for (Connection old : mine) {
                    // a connection counts its requests once their headers are read
                    if (old != c && old.getMessagesIn() == 0) {
                        close = old;
                        break;
                    }
                }
                // out of the count now: its close reaches onClosed later
                mine.remove(close);
            }
        }
        if (close != null) {
            close.getEndPoint().close();
        }
        scheduler.schedule(
                () -> {
                    if (c.getMessagesIn() == 0) {
                        c.getEndPoint().close();
                    }
                },
                requestTime.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void onClosed(Connection c) {
        synchronized (open) {
            InetAddress client = client(c);
            Deque<Connection> mine = open.get(client);
            if (mine != null) {
                mine.remove(c);
                if (mine.isEmpty()) {
                    open.remove(client);
                }
            }
        }
    }

    private static InetAddress client(Connection c) {
        SocketAddress a = c.getEndPoint().getRemoteSocketAddress();
        return a instanceof InetSocketAddress i ? i.getAddress() : InetAddress.getLoopbackAddress();
    }
}
