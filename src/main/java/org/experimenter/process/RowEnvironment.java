package org.experimenter.process;

import java.util.LinkedHashMap;
import java.util.Map;
import org.experimenter.ExperimentContext;

/**
 * The environment variables that give a process what its row was given: {@code
 * CUDA_VISIBLE_DEVICES}, the GPUs Spark gave the task (so CUDA numbers the row's own GPUs from
 * 0 and sees no other), {@code EXPERIMENTER_CPUS} and {@code EXPERIMENTER_MEMORY_MB}, from
 * what the row was given: the resources of its stage ({@code stages { n { resources { ... } } }}),
 * not those of the config the experiment was made from. Nothing when the row asks for nothing; no
 * CUDA_VISIBLE_DEVICES outside Spark ({@code run-one}), where no GPU was given.
 */
public final class RowEnvironment {
    private RowEnvironment() {}

    public static Map<String, String> of(ExperimentContext ctx) {
        Map<String, String> env = new LinkedHashMap<>();
        // outside Spark (run-one) no GPU was given: the process sees what the machine has
        if (!ctx.gpus().isEmpty()) {
            env.put("CUDA_VISIBLE_DEVICES", String.join(",", ctx.gpus()));
        }
        if (!ctx.gpus().isEmpty() || ctx.cpus() != 1 || ctx.memory() > 0) {
            env.put("EXPERIMENTER_CPUS", Integer.toString(ctx.cpus()));
        }
        if (ctx.memory() > 0) {
            env.put("EXPERIMENTER_MEMORY_MB", Long.toString(ctx.memory() / (1024 * 1024)));
        }
        return env;
    }
}
