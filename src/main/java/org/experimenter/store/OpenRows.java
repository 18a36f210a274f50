package org.experimenter.store;

/** The open rows of a scope: smallest and largest id, and how many there are (at least one). */
public record OpenRows(long minId, long maxId, long count) {}
