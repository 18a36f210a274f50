package org.experimenter.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Listing, digesting, reading and deleting a local folder tree. */
final class LocalTree {
    private LocalTree() {}

    /** Every regular file under dir (links are not followed), sorted by path. */
    static List<ArtifactFile> list(Path dir) throws IOException {
        List<ArtifactFile> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    String rel = dir.relativize(f)
                            .toString()
                            .replace(f.getFileSystem().getSeparator(), "/");
                    out.add(new ArtifactFile(rel, Files.size(f), sha256(f)));
                }
            }
        }
        out.sort(Comparator.comparing(ArtifactFile::path));
        return out;
    }

    static String sha256(Path f) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(f)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * The contents of the regular file at {@code names} under root, at most maxBytes; throws
     * {@link IllegalArgumentException} when there is none, or a name on the way is a link, or it
     * is larger. Each name is opened in the folder opened before it, without following a link
     * ({@code openat} with {@code O_NOFOLLOW}, where the platform has it, as Linux and macOS do),
     * so a link swapped in while this reads is refused too; the root itself may be a link.
     * Messages name the file as {@code shown}.
     */
    static byte[] read(Path root, List<String> names, String shown, long maxBytes) throws IOException {
        List<DirectoryStream<Path>> opened = new ArrayList<>();
        try {
            DirectoryStream<Path> top = Files.newDirectoryStream(root);
            opened.add(top);
            if (!(top instanceof SecureDirectoryStream<Path> at)) {
                return readChecked(root, names, shown, maxBytes);
            }
            for (String name : names.subList(0, names.size() - 1)) {
                at = at.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS);
                opened.add(at);
            }
            Path file = Path.of(names.get(names.size() - 1));
            BasicFileAttributes a = at.getFileAttributeView(
                            file, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
            if (!a.isRegularFile()) {
                throw new IllegalArgumentException("no file " + shown + " in the attempt's folder");
            }
            try (SeekableByteChannel in =
                    at.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
                return readAll(in, shown, maxBytes);
            }
        } catch (FileSystemException e) {
            if (e instanceof AccessDeniedException) {
                throw e;
            }
            // no such name, not a folder, or a link (ELOOP under O_NOFOLLOW)
            throw new IllegalArgumentException("no file " + shown + " in the attempt's folder");
        } finally {
            for (DirectoryStream<Path> d : opened) {
                d.close();
            }
        }
    }

    /**
     * Where folders cannot be opened relative to each other: no name on the way may be a link,
     * checked before the file is opened (a link swapped in between is not seen).
     */
    private static byte[] readChecked(Path root, List<String> names, String shown, long maxBytes) throws IOException {
        Path at = root;
        for (String name : names) {
            at = at.resolve(name);
            if (Files.isSymbolicLink(at)) {
                throw new IllegalArgumentException("no file " + shown + " in the attempt's folder");
            }
        }
        if (!Files.isRegularFile(at, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("no file " + shown + " in the attempt's folder");
        }
        try (SeekableByteChannel in =
                Files.newByteChannel(at, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            return readAll(in, shown, maxBytes);
        }
    }

    private static byte[] readAll(SeekableByteChannel in, String shown, long maxBytes) throws IOException {
        if (in.size() > maxBytes) {
            throw new IllegalArgumentException(shown + " is larger than " + maxBytes + " bytes");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) in.size());
        while (buf.hasRemaining() && in.read(buf) >= 0) {
            // until the size read when it was opened
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }

    /** Deletes dir and everything under it; nothing when it does not exist. Links are removed, not followed. */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
