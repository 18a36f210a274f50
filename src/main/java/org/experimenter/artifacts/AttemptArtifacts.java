package org.experimenter.artifacts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;

/**
 * The artifact folder of one attempt: a local folder the experiment writes into, listed (and,
 * for a non-local root, copied up and removed) when the attempt ends.
 */
public final class AttemptArtifacts {
    private final Path dir;
    private final org.apache.hadoop.fs.Path target;

    AttemptArtifacts(Path dir, org.apache.hadoop.fs.Path target) {
        this.dir = dir;
        this.target = target;
    }

    /** The local folder the experiment writes into. */
    public Path dir() {
        return dir;
    }

    /**
     * Lists the files the attempt left, with their sizes and digests; for a non-local root copies
     * them to the root and removes the staging folder.
     */
    public List<ArtifactFile> finish() {
        try {
            List<ArtifactFile> files = LocalTree.list(dir);
            if (target != null) {
                FileSystem fs = ArtifactRoot.fileSystem(target);
                fs.delete(target, true);
                fs.mkdirs(target.getParent());
                fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(dir.toUri()), target);
                LocalTree.delete(dir);
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot list or copy the artifacts of " + (target == null ? dir : target) + ": " + e.getMessage(),
                    e);
        }
    }
}
