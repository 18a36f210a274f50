package org.experimenter.testing;

import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;

/**
 * An experiment that records where it ran: result {@code container} is the YARN container id
 * from the environment YARN gives every container (CONTAINER_ID; "none" outside YARN), and
 * {@code square} is x * x. Throws for x = 3, 7, 11, ... so that some rows end in error.
 * It lives only in the test classes: a submitted app finds it only in a jar given to --jars.
 */
public final class ContainerProbe implements Experiment {
    private static final long serialVersionUID = 1L;

    @Override
    public void run(ExperimentContext ctx) {
        int x = ctx.parameters().getInt("x");
        if (x % 4 == 3) {
            throw new IllegalArgumentException("the probe refuses x = " + x);
        }
        String container = System.getenv("CONTAINER_ID");
        ctx.results().put("container", container == null ? "none" : container).put("square", x * x);
    }
}
