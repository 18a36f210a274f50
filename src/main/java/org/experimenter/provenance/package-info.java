/**
 * Where each attempt's result came from: the config's hash, the code's version (a git commit
 * and whether the work tree had changes, or a file's digest), the runtime and package versions,
 * and what an experiment's own processes report about an attempt.
 * Private API. No compatibility guarantees provided.
 */
package org.experimenter.provenance;
