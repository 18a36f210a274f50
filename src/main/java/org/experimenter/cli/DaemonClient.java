package org.experimenter.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.experimenter.process.ShellVariables;

/**
 * The command line's side of the daemon ({@link Daemon}): sends the command to the daemon of
 * this command line ({@link DaemonAddress}), starting it when there is none, and prints what
 * the command prints there. scripts/experimenter asks for it by naming the daemon's own command
 * line in {@code -Dexperimenter.daemon.line}; without it, or when the daemon cannot be reached
 * or is busy with another command, the command runs in this JVM as always. Told to stop (Ctrl-C,
 * SIGTERM, SIGHUP), the command line tells the daemon, whose command then stops as it would in
 * this JVM (a run lets its running rows finish within the shutdown grace), and waits for it.
 */
final class DaemonClient {
    static final String LINE_PROPERTY = "experimenter.daemon.line";

    /** Set when this JVM was told to stop and told the daemon: its command's end is expected. */
    private static volatile boolean stopping;

    private DaemonClient() {}

    /** The command's exit code, run by the daemon; null: run it in this JVM. */
    static Integer run(String[] args) {
        String line = System.getProperty(LINE_PROPERTY);
        if (line == null) {
            return null;
        }
        SocketChannel ch;
        try {
            DaemonAddress a = DaemonAddress.of(Path.of(line));
            if (a == null) {
                return null;
            }
            ch = connect(a);
            if (ch == null) {
                Process started = start(a, Path.of(line));
                if (started == null) {
                    return null;
                }
                ch = await(a, started);
                if (ch == null) {
                    return null;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null; // no daemon: this JVM runs the command
        }
        return converse(ch, args);
    }

    /**
     * The daemon's socket, connected; null when there is none, or when another user listens on it
     * (a socket planted while the folder was open to others, or reached through a link): nothing
     * is sent to it, and a daemon started now takes its place.
     */
    private static SocketChannel connect(DaemonAddress a) {
        if (!Files.exists(a.socket())) {
            return null;
        }
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(a.socket()));
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (peer.user().getName().equals(System.getProperty("user.name"))) {
                return ch;
            }
            ch.close();
            return null;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            return null; // a socket left by a daemon that was killed
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // nothing was sent on it
            }
        }
    }

    /**
     * Starts the daemon in a session of its own (a terminal's Ctrl-C reaches the command line,
     * which passes it on, never the daemon); null when MAX_DAEMONS of this user are up already.
     */
    private static Process start(DaemonAddress a, Path lineFile) throws IOException {
        if (live(a.dir()) >= DaemonAddress.MAX_DAEMONS) {
            return null;
        }
        String setsid = null;
        for (String s : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(s))) {
                setsid = s;
                break;
            }
        }
        if (setsid == null) {
            return null;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(setsid);
        for (String arg : Files.readString(lineFile).split("\0")) {
            if (!arg.isEmpty()) {
                cmd.add(arg);
            }
        }
        cmd.add(a.dir().toString());
        cmd.add(a.key());
        // the log is written anew, never through a link planted in its place (the redirect follows links)
        Files.deleteIfExists(a.log());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(a.log().toFile());
        return pb.start();
    }

    /** Daemons of this user that are up: those holding their lock. */
    static int live(Path dir) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> locks = Files.newDirectoryStream(dir, "*.lock")) {
            for (Path lock : locks) {
                if (!Files.isRegularFile(lock, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue; // no daemon's (a fifo would block the open)
                }
                try (FileChannel ch =
                        FileChannel.open(lock, StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    FileLock l = ch.tryLock();
                    if (l == null) {
                        n++;
                    } else {
                        l.release();
                    }
                } catch (OverlappingFileLockException e) {
                    n++;
                } catch (IOException e) {
                    // removed meanwhile: not up
                }
            }
        }
        return n;
    }

    /** The new daemon's socket once it listens; null if it ended first or took over a minute. */
    private static SocketChannel await(DaemonAddress a, Process started) {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < end) {
            SocketChannel ch = connect(a);
            if (ch != null) {
                return ch;
            }
            if (!started.isAlive()) {
                // another command's daemon of the same address may have won the start
                return connect(a);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /**
     * Sends the command, prints its output and returns its exit code; null when the daemon
     * answered busy before running anything.
     */
    private static Integer converse(SocketChannel ch, String[] args) {
        DataInputStream in = new DataInputStream(new BufferedInputStream(DaemonWire.in(ch), 1 << 16));
        try {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(DaemonWire.out(ch)));
            new DaemonWire.Request(
                            System.getProperty("user.dir"),
                            System.console() != null,
                            ShellVariables.ofThisProcess(),
                            args)
                    .write(out);
            if (in.read() != DaemonWire.ACCEPTED) {
                ch.close();
                return null;
            }
        } catch (IOException e) {
            close(ch);
            return null;
        }
        // from here on the command is the daemon's: never run it here as well
        CountDownLatch ended = new CountDownLatch(1);
        Thread stop = new Thread(
                () -> {
                    stopping = true;
                    try {
                        DaemonWire.out(ch).write(DaemonWire.STOP);
                        ended.await(10, TimeUnit.MINUTES); // the run's shutdown grace and its stop
                    } catch (IOException | InterruptedException e) {
                        // the daemon is gone: nothing to wait for
                    }
                },
                "experimenter-daemon-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            return pump(in);
        } finally {
            ended.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException e) {
                // stopping: the hook has told the daemon, and the JVM's exit code tells the signal
            }
            close(ch);
        }
    }

    private static int pump(DataInputStream in) {
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        OutputStream stderr = new FileOutputStream(FileDescriptor.err);
        try {
            while (true) {
                int type = in.read();
                if (type == DaemonWire.EXIT) {
                    return in.readInt();
                }
                if (type != DaemonWire.OUT && type != DaemonWire.ERR) {
                    break;
                }
                byte[] b = in.readNBytes(in.readInt());
                try {
                    (type == DaemonWire.OUT ? stdout : stderr).write(b);
                } catch (IOException e) {
                    // a closed pipe (| head): the command goes on, as its own JVM's would, unheard
                }
            }
        } catch (IOException e) {
            // as below
        }
        if (stopping) {
            return 1; // the exit code is the signal's
        }
        try {
            stderr.write(("error: the experimenter daemon ended before its command did; the command's rows"
                            + " are recovered by the next run (the daemon's log: ~/.cache/experimenter/daemons)\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            // nowhere to say it
        }
        return 1;
    }

    private static void close(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // closed already
        }
    }
}
