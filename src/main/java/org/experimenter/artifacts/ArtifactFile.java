package org.experimenter.artifacts;

/**
 * One file an attempt left in its artifact folder, as the {@code <table>__artifacts} table keeps it.
 *
 * @param path relative to the attempt's folder, with {@code /} between names
 * @param bytes the file's size
 * @param sha256 the file's SHA-256 digest, 64 lower-case hex digits
 */
public record ArtifactFile(String path, long bytes, String sha256) {}
