package org.experimenter.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a real server that can stop passing bytes while keeping its sockets
 * open: what a client sees of a connection left half-open by a failover. It keeps what clients
 * sent, to check what reached the server.
 */
public final class FreezingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean frozen;
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

    public FreezingProxy(int targetPort) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(
                () -> {
                    while (!server.isClosed()) {
                        try {
                            Socket client = server.accept();
                            Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                            sockets.add(client);
                            sockets.add(target);
                            pump(client, target, true);
                            pump(target, client, false);
                        } catch (IOException e) {
                            return;
                        }
                    }
                },
                "freezing-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** From now on no byte passes either way; the sockets stay open. */
    public void freeze() {
        frozen = true;
    }

    /** Every byte clients have sent through the proxy so far (to look for what they should not send). */
    public byte[] sent() {
        synchronized (sent) {
            return sent.toByteArray();
        }
    }

    private void pump(Socket from, Socket to, boolean fromClient) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[8192];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            while (frozen) {
                                Thread.sleep(50);
                            }
                            if (fromClient) {
                                synchronized (sent) {
                                    sent.write(buf, 0, n);
                                }
                            }
                            out.write(buf, 0, n);
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // the proxy is closing
                    }
                },
                "freezing-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
