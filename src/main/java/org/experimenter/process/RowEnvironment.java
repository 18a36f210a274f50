package org.experimenter.process;

import java.util.LinkedHashMap;
import java.util.Map;
import org.experimenter.ExperimentContext;
import org.experimenter.config.Resources;

/**
 * The environment variables that give a process what its row was given: {@code
 * CUDA_VISIBLE_DEVICES}, the GPUs Spark gave the task (so CUDA numbers the row's own GPUs from
 * 0 and sees no other), {@code EXPERIMENTER_CPUS} and {@code EXPERIMENTER_MEMORY_MB}. Nothing
 * when the config's resources section asks for nothing; no CUDA_VISIBLE_DEVICES outside Spark
 * ({@code run-one}), where no GPU was given.
 */
public final class RowEnvironment {
    private RowEnvironment() {}

    public static Map<String, String> of(Resources configured, ExperimentContext ctx) {
        Map<String, String> env = new LinkedHashMap<>();
        // outside Spark (run-one) no GPU was given: the process sees what the machine has
        if (configured.gpus() > 0 && !ctx.gpus().isEmpty()) {
            env.put("CUDA_VISIBLE_DEVICES", String.join(",", ctx.gpus()));
        }
        if (configured.any()) {
            env.put("EXPERIMENTER_CPUS", Integer.toString(configured.cpus()));
        }
        if (ctx.memory() > 0) {
            env.put("EXPERIMENTER_MEMORY_MB", Long.toString(ctx.memory() / (1024 * 1024)));
        }
        return env;
    }
}
