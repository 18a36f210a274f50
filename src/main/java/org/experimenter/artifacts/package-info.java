/**
 * Artifacts per row: a folder per row and attempt under {@code artifacts.root} (a local folder or
 * a Hadoop file system URI) where an experiment leaves files, listed in {@code <table>__artifacts}
 * when the attempt ends (docs/artifacts.md).
 */
package org.experimenter.artifacts;
