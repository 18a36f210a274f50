package org.experimenter.artifacts;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A Hadoop file system of its own scheme, {@code stagetest:///path}, kept in local files: a root
 * that is not local to the tool, as {@code hdfs://} or {@code s3a://} would be, so that the
 * staging folder and the copy up are tested without a cluster. Registered for tests only
 * (META-INF/services/org.apache.hadoop.fs.FileSystem under src/test/resources).
 */
public class StagingTestFileSystem extends RawLocalFileSystem {
    static final String SCHEME = "stagetest";

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }
}
