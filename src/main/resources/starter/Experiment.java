package @PACKAGE@;

import java.util.SplittableRandom;
import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;

/**
 * The experiment of this project, run once per row of the table: estimates pi from random
 * points in the unit square, for each sample size and seed of conf/experiment.conf. Replace the
 * body with your own; keyfields come from ctx.parameters(), results go to ctx.results().
 */
public class @CLASS@ implements Experiment {
    private static final long serialVersionUID = 1L;

    @Override
    public void run(ExperimentContext ctx) {
        int samples = ctx.parameters().getInt("samples");
        long seed = ctx.parameters().getLong("seed");
        SplittableRandom random = new SplittableRandom(seed);
        long inside = 0;
        for (int i = 0; i < samples; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            if (x * x + y * y <= 1) {
                inside++;
            }
        }
        double estimate = 4.0 * inside / samples;
        ctx.results().put("estimate", estimate).put("abs_error", Math.abs(estimate - Math.PI));
    }
}
