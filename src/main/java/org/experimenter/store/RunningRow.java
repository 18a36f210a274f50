package org.experimenter.store;

/** A running row as another run sees it: its last heartbeat (database time) and its run. */
public record RunningRow(long id, long heartbeat, String runId) {}
