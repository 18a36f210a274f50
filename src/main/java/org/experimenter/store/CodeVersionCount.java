package org.experimenter.store;

/**
 * How many done rows came from one code version (null: not recorded), and whether any of them
 * from a work tree with uncommitted changes.
 */
public record CodeVersionCount(String codeVersion, boolean dirty, long rows) {}
