package org.experimenter.cli;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.experimenter.process.ShellVariables;
import org.experimenter.provenance.CodeVersion;
import org.experimenter.python.PythonExperiment;
import org.experimenter.store.ExperimentStore;

/**
 * A JVM that stays up between the commands of one command line ({@link DaemonAddress}) and runs
 * them one at a time, so that the second command finds Spark started, its classes loaded and
 * compiled: what a command of a few rows spends most of its time on. Started by {@link
 * DaemonClient} for scripts/experimenter, never by hand; it ends after {@code
 * EXPERIMENTER_DAEMON_IDLE} seconds without a command (300 by default), when a jar of its class
 * path changes or its socket is removed, and when a command of its is told to stop: it then
 * exits as the command's own JVM would have, its shutdown hooks letting a run's running rows
 * finish within the shutdown grace.
 *
 * <p>Between two commands it keeps a local Spark context only ({@link SparkSessions}); it ends
 * the Python workers, closes the connection pools and forgets the code versions, so that a
 * command sees its files and its database as they are when it starts.
 */
public final class Daemon {
    private static final long CHECK_MILLIS = 1000;

    private final DaemonAddress address;
    private final long idleNanos;
    private final Switch out;
    private final Switch err;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final List<Path> jars = new ArrayList<>();
    private final List<Long> jarTimes = new ArrayList<>();
    private volatile long lastUsed = System.nanoTime();

    private Daemon(DaemonAddress address, long idleSeconds) throws IOException {
        this.address = address;
        this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
        this.out = new Switch(System.out);
        this.err = new Switch(System.err);
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isRegularFile(p)) {
                jars.add(p);
                jarTimes.add(Files.getLastModifiedTime(p).toMillis());
            }
        }
    }

    /** {@code Daemon <folder> <key>}: the address {@link DaemonClient} computed. */
    public static void main(String[] args) throws Exception {
        DaemonAddress a = new DaemonAddress(Path.of(args[0]), args[1]);
        long idle = 300;
        String given = System.getenv("EXPERIMENTER_DAEMON_IDLE");
        if (given != null && given.matches("\\d{1,7}")) {
            idle = Long.parseLong(given);
        }
        // never through a link or a fifo planted in its place: that would create or lock another file,
        // or block; the folder is the user's alone, so whatever is there and is no regular file is removed
        if (Files.exists(a.lock(), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && !Files.isRegularFile(a.lock(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(a.lock());
        }
        FileChannel lockFile = FileChannel.open(
                a.lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        FileLock lock = lockFile.tryLock();
        if (lock == null) {
            return; // the daemon of this address is up already
        }
        Daemon d = new Daemon(a, idle);
        // before anything logs: every console handler then writes to the command being run
        System.setOut(new PrintStream(d.out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(d.err, true, StandardCharsets.UTF_8));
        SparkSessions.keepBetweenCommands();
        Files.deleteIfExists(a.socket()); // left by a daemon that was killed
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(a.socket()));
        Files.setPosixFilePermissions(a.socket(), PosixFilePermissions.fromString("rw-------"));
        // however it ends (idle, or a command told to stop exits the JVM): no socket left behind
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                Files.deleteIfExists(a.socket());
                            } catch (IOException e) {
                                // the next daemon of this address removes it
                            }
                        },
                        "experimenter-daemon-socket"));
        Thread watch = new Thread(() -> d.watch(server), "experimenter-daemon-watch");
        watch.setDaemon(true);
        watch.start();
        while (true) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                break; // closed by the watch: idle, replaced or removed
            }
            Thread t = new Thread(() -> d.serve(ch), "experimenter-daemon-command");
            t.start();
        }
        lock.release();
        System.exit(0);
    }

    /** Ends the daemon when it is idle too long, its socket is gone, or a jar changed. */
    private void watch(ServerSocketChannel server) {
        while (true) {
            try {
                Thread.sleep(CHECK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            boolean idle = !busy.get() && System.nanoTime() - lastUsed > idleNanos;
            if (idle
                    || !Files.exists(address.socket())
                    || (!busy.get() && (jarChanged() || !inFolder(System.getProperty("user.dir"))))) {
                if (busy.compareAndSet(false, true)) {
                    try {
                        server.close();
                    } catch (IOException e) {
                        // closed
                    }
                    return;
                }
            }
        }
    }

    private boolean jarChanged() {
        for (int i = 0; i < jars.size(); i++) {
            try {
                if (Files.getLastModifiedTime(jars.get(i)).toMillis() != jarTimes.get(i)) {
                    return true;
                }
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether this JVM's working folder is the folder of that path: not when it was removed (and
     * maybe made again) since the daemon started, where a relative path would reach the removed
     * folder's files or none (the daemon then ends: no command can use it again).
     */
    private static boolean inFolder(String dir) {
        Path here = Path.of("/proc/self/cwd");
        try {
            return Files.isSameFile(Files.exists(here) ? here : Path.of("."), Path.of(dir));
        } catch (IOException e) {
            return false;
        }
    }

    /** One connection: a command, run unless another one runs. */
    private void serve(SocketChannel ch) {
        try (ch) {
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!peer.user().getName().equals(System.getProperty("user.name"))) {
                return; // the folder is the user's alone; this is only a second lock
            }
            DataInputStream in = new DataInputStream(new BufferedInputStream(DaemonWire.in(ch)));
            DaemonWire.Request r = DaemonWire.Request.read(in);
            if (r == null
                    || !r.dir().equals(System.getProperty("user.dir"))
                    || !inFolder(r.dir())
                    || !busy.compareAndSet(false, true)) {
                DaemonWire.out(ch).write(DaemonWire.BUSY);
                return;
            }
            try {
                run(ch, in, r);
            } finally {
                lastUsed = System.nanoTime();
                busy.set(false);
            }
        } catch (IOException | RuntimeException e) {
            // the command line went away: nothing to answer
        }
    }

    private void run(SocketChannel ch, DataInputStream in, DaemonWire.Request r) throws IOException {
        Frames frames = new Frames(ch);
        frames.accept();
        AtomicBoolean finished = new AtomicBoolean();
        AtomicBoolean stopped = new AtomicBoolean();
        Thread listen = new Thread(
                () -> {
                    try {
                        in.read(); // STOP, or the end of the stream: the command line was told to stop or is gone
                    } catch (IOException e) {
                        // gone as well
                    }
                    if (!finished.get()) {
                        // as the command's own JVM would on SIGTERM: its shutdown hooks stop it
                        stopped.set(true);
                        Thread exit = new Thread(() -> System.exit(143), "experimenter-daemon-exit");
                        exit.start();
                    }
                },
                "experimenter-daemon-listen");
        listen.setDaemon(true);
        out.to(frames.stream(DaemonWire.OUT));
        err.to(frames.stream(DaemonWire.ERR));
        System.setProperty(TERMINAL_PROPERTY, Boolean.toString(r.terminal()));
        ShellVariables.useCommandLines(r.shell());
        listen.start();
        int code;
        try {
            code = Main.execute(r.args());
        } catch (Throwable t) {
            System.err.println("error: " + t);
            code = 1;
        } finally {
            System.out.flush();
            System.err.flush();
            finished.set(true);
            out.to(null);
            err.to(null);
            System.clearProperty(TERMINAL_PROPERTY);
            ShellVariables.useCommandLines(null);
            afterCommand();
        }
        if (stopped.get()) {
            // the command line ends when the socket does, at the daemon's exit: after the shutdown
            // hooks have stopped every process of the run, as the command's own JVM would have
            while (true) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    // exiting: the JVM halts after its hooks
                }
            }
        }
        frames.exit(code);
    }

    /** Whether the command line that the daemon runs a command for is in a terminal. */
    static final String TERMINAL_PROPERTY = "experimenter.daemon.terminal";

    /** What must not outlive a command (see the class's comment). */
    private static void afterCommand() {
        SparkSessions.afterCommand();
        PythonExperiment.endIdleWorkers();
        ExperimentStore.closeConnections();
        CodeVersion.forget();
    }

    /** The daemon's standard output or error: the running command's frames, else the daemon's log. */
    private static final class Switch extends OutputStream {
        private final OutputStream idle;
        private volatile OutputStream target;

        Switch(OutputStream idle) {
            this.idle = idle;
        }

        void to(OutputStream t) {
            target = t;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            OutputStream t = target;
            (t != null ? t : idle).write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            OutputStream t = target;
            (t != null ? t : idle).flush();
        }
    }

    /** The daemon's side of the wire: framed output to the command line. */
    private static final class Frames {
        private final OutputStream wire;

        Frames(SocketChannel ch) {
            this.wire = DaemonWire.out(ch);
        }

        synchronized void accept() throws IOException {
            wire.write(DaemonWire.ACCEPTED);
        }

        synchronized void frame(int type, byte[] b, int off, int len) throws IOException {
            wire.write(ByteBuffer.allocate(5).put((byte) type).putInt(len).array());
            wire.write(b, off, len);
        }

        synchronized void exit(int code) throws IOException {
            wire.write(ByteBuffer.allocate(5)
                    .put((byte) DaemonWire.EXIT)
                    .putInt(code)
                    .array());
        }

        OutputStream stream(int type) {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (len > 0) {
                        frame(type, b, off, len);
                    }
                }
            };
        }
    }
}
