package org.experimenter.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The files of one attempt at a row, under {@code <run-dir>/<table>/<id>/}: {@code scratch/},
 * kept across attempts (and resets) for checkpoints, and {@code attempt-<n>/} with what the
 * command is given and what it writes. An attempt's folder is made anew: a row that was reset
 * counts its attempts from 1 again. A row that halving promoted from a parent row starts with a
 * copy of the parent's scratch folder: the checkpoint of the rung below, to resume from.
 */
record RunFiles(Path rowDir, Path scratch, Path attemptDir) {
    static RunFiles create(Path runDir, String table, long id, int attempt) throws IOException {
        return create(runDir, table, id, attempt, null);
    }

    /** The same for a row promoted from {@code parentId} (null for none). */
    static RunFiles create(Path runDir, String table, long id, int attempt, Long parentId) throws IOException {
        Path row = runDir.toAbsolutePath().resolve(table).resolve(Long.toString(id));
        Path scratch = row.resolve("scratch");
        if (parentId != null && !Files.exists(scratch)) {
            Path parent = runDir.toAbsolutePath()
                    .resolve(table)
                    .resolve(Long.toString(parentId))
                    .resolve("scratch");
            copyTree(parent, scratch);
        }
        Files.createDirectories(scratch);
        Path attemptDir = row.resolve("attempt-" + attempt);
        deleteTree(attemptDir);
        Files.createDirectories(attemptDir);
        return new RunFiles(row, scratch, attemptDir);
    }

    Path params() {
        return attemptDir.resolve("params.json");
    }

    Path result() {
        return attemptDir.resolve("result.json");
    }

    Path events() {
        return attemptDir.resolve("events.jsonl");
    }

    /** Created once the run is stopping: the command may save a checkpoint and exit. */
    Path stop() {
        return attemptDir.resolve("stopping");
    }

    Path stdout() {
        return attemptDir.resolve("stdout.txt");
    }

    Path stderr() {
        return attemptDir.resolve("stderr.txt");
    }

    /** The last bytes of a file as text, starting at a line (or character) boundary; "" when there is none. */
    static String tail(Path file, int maxBytes) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            int n = (int) Math.min(length, maxBytes);
            byte[] b = new byte[n];
            f.seek(length - n);
            f.readFully(b);
            int from = 0;
            if (n < length) {
                // cut at the next line when one starts soon, else after the partial character
                int nl = 0;
                while (nl < n && nl < 1024 && b[nl] != '\n') {
                    nl++;
                }
                if (nl < n && b[nl] == '\n') {
                    from = nl + 1;
                } else {
                    while (from < n && (b[from] & 0xC0) == 0x80) {
                        from++;
                    }
                }
            }
            return new String(b, from, n - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Copies a folder's tree into a new one, links as links and no special files, through a temporary sibling moved into place, so that
     * an attempt killed half way leaves no half copy to be taken for the checkpoint.
     */
    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        Path tmp = to.resolveSibling(to.getFileName() + ".copying");
        deleteTree(tmp);
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = tmp.resolve(from.relativize(p).toString());
                // links stay links (a "latest" link, a data set linked from outside, a dangling one);
                // named pipes, sockets and devices are not files to copy (reading a pipe blocks)
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
        Files.move(tmp, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // what is left is overwritten or reported when the files are written
        }
    }
}
