/**
 * Spark inside a Slurm allocation: the batch script {@code experimenter slurm run} submits (a
 * standalone Spark master on the allocation's first node, a worker per node, the run, the
 * cluster stopped), the hostlist expressions of {@code SLURM_JOB_NODELIST}, and the calls of
 * sbatch, squeue and scancel. Private API. No compatibility guarantees provided; the command
 * line and the script's settings (docs/slurm.md) are the contract.
 */
package org.experimenter.slurm;
