// The value of the resources section: the row's resources and the larger ones an out-of-memory
// failure escalates to.
package org.experimenter.config;

import java.io.Serializable;
import java.util.List;

/**
 * {@code resources { gpus = 1, cpus = 2, memory = 8g, escalate = [{memory = 16g}, {memory = 32g}] }}:
 * level 0 is what every row gets first; a row that fails with the signs of running out of memory
 * runs again at the next level, while there is one.
 */
public record ResourceSettings(Resources base, List<Resources> escalation) implements Serializable {
    public ResourceSettings {
        escalation = List.copyOf(escalation);
    }

    /** The resources of a level: 0 the base, 1 the first escalation; past the last, the last. */
    public Resources level(int level) {
        if (level <= 0 || escalation.isEmpty()) {
            return base;
        }
        return escalation.get(Math.min(level, escalation.size()) - 1);
    }

    /** Whether a row that ran out of memory at this level has a larger level to run at. */
    public boolean escalates(int level) {
        return level < escalation.size();
    }
}
