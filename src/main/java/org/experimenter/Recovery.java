package org.experimenter;

/**
 * What one recovery pass over rows with expired leases did.
 *
 * @param requeued rows returned to created for another attempt
 * @param failed rows marked error because no attempts were left
 */
public record Recovery(int requeued, int failed) {}
