package org.experimenter.provenance;

import java.io.Serializable;

/**
 * What every attempt of one run records about its code and config.
 *
 * @param configHash sha-256 of the effective config (database user and password left out)
 * @param codeVersion the git commit of the experiment's work tree, else {@code sha256:<hex>} of
 *     its jar, script or Python file; null when there is nothing to name
 * @param codeDirty whether the work tree had uncommitted changes to tracked files; null when the
 *     code version is a digest or unknown
 */
public record Provenance(String configHash, String codeVersion, Boolean codeDirty) implements Serializable {}
