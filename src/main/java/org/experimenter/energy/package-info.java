/**
 * Energy and emissions of each attempt: RAPL counters, the host's CPU time, GPU samples from
 * {@code nvidia-smi}, and the estimate from an attempt's CPU time when nothing can be measured.
 * Private API. No compatibility guarantees provided.
 */
package org.experimenter.energy;
