package org.experimenter.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.experimenter.process.ShellVariables;

/**
 * What a command line and its daemon say to each other over the daemon's socket. The command
 * line sends {@link #VERSION}, its working folder, whether it runs in a terminal, its values of
 * the variables a shell changes between commands ({@link ShellVariables}) and its arguments; the
 * daemon answers {@link #ACCEPTED} (it runs the command) or {@link #BUSY} (the command line runs
 * it itself); then the daemon sends the command's output as frames ({@link #OUT}, {@link #ERR}:
 * length and bytes) and {@link #EXIT} with the exit code. The command line
 * sends {@link #STOP} when it is told to stop (Ctrl-C, SIGTERM, SIGHUP); its end of the socket
 * closing means the same.
 */
final class DaemonWire {
    static final int VERSION = 2;
    static final int ACCEPTED = 'A';
    static final int BUSY = 'B';
    static final int OUT = 'o';
    static final int ERR = 'e';
    static final int EXIT = 'x';
    static final int STOP = 's';

    private DaemonWire() {}

    /**
     * A request: the working folder, whether standard error is a terminal, the command line's
     * shell variables ({@link ShellVariables}), the arguments.
     */
    record Request(String dir, boolean terminal, Map<String, String> shell, String[] args) {
        void write(DataOutputStream out) throws IOException {
            out.writeInt(VERSION);
            text(out, dir);
            out.writeBoolean(terminal);
            out.writeInt(shell.size());
            for (Map.Entry<String, String> e : shell.entrySet()) {
                text(out, e.getKey());
                text(out, e.getValue());
            }
            out.writeInt(args.length);
            for (String a : args) {
                text(out, a);
            }
            out.flush();
        }

        /** The request, or null when it is of another version of the tool. */
        static Request read(DataInputStream in) throws IOException {
            if (in.readInt() != VERSION) {
                return null;
            }
            String dir = text(in);
            boolean terminal = in.readBoolean();
            int variables = in.readInt();
            if (variables < 0 || variables > ShellVariables.NAMES.size()) {
                return null;
            }
            Map<String, String> shell = new TreeMap<>();
            for (int i = 0; i < variables; i++) {
                String name = text(in);
                String value = text(in);
                if (!ShellVariables.NAMES.contains(name)) {
                    return null;
                }
                shell.put(name, value);
            }
            int n = in.readInt();
            if (n < 0 || n > 100_000) {
                return null;
            }
            String[] args = new String[n];
            for (int i = 0; i < n; i++) {
                args[i] = text(in);
            }
            return new Request(dir, terminal, shell, args);
        }
    }

    private static void text(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String text(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 16 << 20) {
            throw new IOException("a text of " + n + " bytes");
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    /**
     * Reads from a socket channel. (Channels.newInputStream holds the channel's blocking lock
     * while it waits, which would stop the other direction's writes.)
     */
    static InputStream in(SocketChannel ch) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                return ch.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }

    /** Writes to a socket channel, whole buffers. */
    static OutputStream out(SocketChannel ch) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        };
    }
}
