package org.experimenter.artifacts;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * Where the artifact folders of one table go: {@code <root>/<table>/<row id>/attempt-<n>/}, only
 * the table name, ids and numbers in the path. The root is a local folder (a plain path or a
 * {@code file:} URI) or any URI of a Hadoop file system ({@code hdfs://}, {@code s3a://}); for
 * those an attempt writes to a local staging folder that is copied up when it ends.
 */
public final class ArtifactRoot implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String root;

    private ArtifactRoot(String root) {
        this.root = root;
    }

    /**
     * The root of a config's {@code artifacts.root}; throws {@link IllegalArgumentException} with
     * the reason when it is neither a path nor a URI.
     */
    public static ArtifactRoot of(String root) {
        if (root == null || root.isBlank()) {
            throw new IllegalArgumentException("empty");
        }
        if (scheme(root) != null) {
            try {
                URI u = new URI(root);
                if (u.getPath() == null || u.getPath().isEmpty()) {
                    throw new IllegalArgumentException("the URI has no path: " + root);
                }
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a URI: " + e.getMessage());
            }
        }
        return new ArtifactRoot(root);
    }

    /** The scheme of a URI such as {@code hdfs://nn/x}; null for a plain path. */
    private static String scheme(String s) {
        int colon = s.indexOf(':');
        if (colon < 2) { // none, or a Windows drive letter
            return null;
        }
        String scheme = s.substring(0, colon);
        return scheme.matches("[A-Za-z][A-Za-z0-9+.-]*") ? scheme.toLowerCase(java.util.Locale.ROOT) : null;
    }

    /** True for a plain path or a {@code file:} URI: attempts write straight into the folder. */
    public boolean isLocal() {
        String s = scheme(root);
        return s == null || s.equals("file");
    }

    /** The root as configured. */
    @Override
    public String toString() {
        return root;
    }

    /** The local root folder; only for {@link #isLocal()}. */
    Path localRoot() {
        return scheme(root) == null
                ? Path.of(root).toAbsolutePath()
                : Path.of(URI.create(root)).toAbsolutePath();
    }

    /** The folder of one attempt at a row, relative to the root: {@code <table>/<id>/attempt-<n>}. */
    static String relative(String table, long id, int attempt) {
        return table + "/" + id + "/attempt-" + attempt;
    }

    /** A Hadoop path under the root. */
    org.apache.hadoop.fs.Path hadoopPath(String relative) {
        String base = root.endsWith("/") ? root : root + "/";
        return new org.apache.hadoop.fs.Path(base + relative);
    }

    static FileSystem fileSystem(org.apache.hadoop.fs.Path p) throws IOException {
        return p.getFileSystem(new Configuration());
    }

    /**
     * Opens the folder of one attempt: emptied first (an attempt number that comes again after a
     * reset that kept artifacts), then created. Local roots give the folder itself; other file
     * systems a local staging folder copied up by {@link AttemptArtifacts#finish()}.
     */
    public AttemptArtifacts open(String table, long id, int attempt) {
        String rel = relative(table, id, attempt);
        try {
            mark(table);
            if (isLocal()) {
                Path dir = localRoot().resolve(rel);
                LocalTree.delete(dir);
                Files.createDirectories(dir);
                return new AttemptArtifacts(dir, null);
            }
            Path staging = Files.createTempDirectory("experimenter-artifacts-" + id + "-" + attempt + "-");
            return new AttemptArtifacts(staging, this.hadoopPath(rel));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot make the artifact folder " + rel + " under " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * The contents of one listed file of an attempt, at most maxBytes; throws {@link
     * IllegalArgumentException} for a path that is not plainly inside the attempt's folder (empty
     * names, {@code .} or {@code ..}, a leading {@code /}, a link on the way: the file, a folder
     * of the path, or the table's, row's or attempt's folder) or a larger file. A local file is opened
     * name by name without following links ({@link LocalTree#read}); on another file system each
     * name below the root is checked not to be a link, and the file's resolved path to lie under
     * the root's, before it is opened.
     */
    public byte[] read(String table, long id, int attempt, String path, long maxBytes) throws IOException {
        for (String name : path.split("/", -1)) {
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('\\') >= 0) {
                throw new IllegalArgumentException("not a path inside the attempt's folder: " + path);
            }
        }
        String rel = relative(table, id, attempt);
        List<String> names = List.of((rel + "/" + path).split("/"));
        if (isLocal()) {
            return LocalTree.read(localRoot(), names, path, maxBytes);
        }
        org.apache.hadoop.fs.Path p = hadoopPath(rel + "/" + path);
        FileSystem fs = fileSystem(p);
        checkInside(fs, names, path);
        FileStatus status = fs.getFileStatus(p);
        if (!status.isFile()) {
            throw new IllegalArgumentException("no file " + path + " in the attempt's folder");
        }
        if (status.getLen() > maxBytes) {
            throw new IllegalArgumentException(path + " is larger than " + maxBytes + " bytes");
        }
        try (java.io.InputStream in = fs.open(p)) {
            return in.readNBytes((int) maxBytes);
        }
    }

    /**
     * On a Hadoop file system: no name below the root is a link (where the file system has
     * links; asked by the path without scheme, as Hadoop's local file system reads links only
     * so), and the file resolves ({@code resolvePath}: links, mount points) to a path under
     * the root's resolved path.
     */
    private void checkInside(FileSystem fs, List<String> names, String path) throws IOException {
        org.apache.hadoop.fs.Path top = new org.apache.hadoop.fs.Path(root);
        org.apache.hadoop.fs.Path at = top;
        try {
            for (int i = 1; i <= names.size(); i++) {
                at = hadoopPath(String.join("/", names.subList(0, i)));
                if (fs.supportsSymlinks()
                        && fs.getFileLinkStatus(org.apache.hadoop.fs.Path.getPathWithoutSchemeAndAuthority(at))
                                .isSymlink()) {
                    throw new IllegalArgumentException("no file " + path + " in the attempt's folder");
                }
            }
            String under = fs.resolvePath(top).toUri().getPath();
            String file = fs.resolvePath(at).toUri().getPath();
            if (!file.startsWith(under.endsWith("/") ? under : under + "/")) {
                throw new IllegalArgumentException("no file " + path + " in the attempt's folder");
            }
        } catch (java.io.FileNotFoundException | IllegalArgumentException e) {
            // a name that is missing, or whose link the file system cannot read, is refused: Hadoop's
            // local file system under a scheme other than file: throws so on each link
            throw new IllegalArgumentException("no file " + path + " in the attempt's folder");
        }
    }

    /** Removes the artifact folders of the given rows ({@code <root>/<table>/<id>}). */
    public void removeRows(String table, Collection<Long> ids) {
        for (long id : ids) {
            remove(table + "/" + id);
        }
    }

    /** Removes every artifact folder of a table ({@code <root>/<table>}). */
    public void removeTable(String table) {
        remove(table);
    }

    /**
     * The file that says the tool made a table's folder: only a folder holding it is ever removed,
     * so a root and table that name a folder of something else ({@code root = "."}, {@code table =
     * src}) lose nothing.
     */
    static final String MARKER = ".experimenter-artifacts";

    private void mark(String table) throws IOException {
        if (isLocal()) {
            Path folder = Files.createDirectories(localRoot().resolve(table));
            Path marker = folder.resolve(MARKER);
            if (!Files.exists(marker, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.writeString(marker, "artifact folders of table " + table + ", made by the experimenter\n");
            }
        } else {
            org.apache.hadoop.fs.Path marker = hadoopPath(table + "/" + MARKER);
            FileSystem fs = fileSystem(marker);
            if (!fs.exists(marker)) {
                fs.create(marker, false).close();
            }
        }
    }

    private boolean marked(String table) throws IOException {
        if (isLocal()) {
            return Files.isRegularFile(
                    localRoot().resolve(table).resolve(MARKER), java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
        org.apache.hadoop.fs.Path marker = hadoopPath(table + "/" + MARKER);
        return fileSystem(marker).exists(marker);
    }

    private void remove(String relative) {
        try {
            String table = relative.contains("/") ? relative.substring(0, relative.indexOf('/')) : relative;
            if (!marked(table)) {
                // not a folder this tool made: left as it is
                return;
            }
            if (isLocal()) {
                LocalTree.delete(localRoot().resolve(relative));
            } else {
                org.apache.hadoop.fs.Path p = hadoopPath(relative);
                fileSystem(p).delete(p, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot remove the artifact folder " + relative + " under " + root + ": " + e.getMessage(), e);
        }
    }
}
