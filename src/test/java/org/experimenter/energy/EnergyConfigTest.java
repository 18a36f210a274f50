package org.experimenter.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.experimenter.InvalidConfigException;
import org.experimenter.config.EnergySettings;
import org.experimenter.config.ExperimentConfig;
import org.junit.jupiter.api.Test;

/** The energy and provenance sections: defaults, and mistakes in one line naming file, line and key. */
class EnergyConfigTest {
    static final String BASE = "database.table = t\nkeyfields { x { type = int, values = [1] } }\n";

    static String error(String extra) {
        return assertThrows(InvalidConfigException.class, () -> ExperimentConfig.parse(BASE + extra, "e.conf"))
                .getMessage();
    }

    @Test
    void energyIsOnByDefaultWithCodeCarbonsConstants() {
        ExperimentConfig c = ExperimentConfig.parse(BASE, "e.conf");
        EnergySettings e = c.energy();
        assertTrue(e.enabled());
        assertEquals(0.375, e.ramPowerPerGbW(), 0.0);
        assertEquals(475.0, e.carbonIntensity(), 0.0);
        assertEquals(0.0, e.cpuPowerPerCoreW(), 0.0);
        assertEquals("/sys/class/powercap", e.powercapRoot());
        assertEquals("nvidia-smi", e.nvidiaSmi());
        assertEquals(List.of(), c.provenancePackages());
        assertFalse(ExperimentConfig.parse(BASE + "energy.enabled = false\n", "e.conf")
                .energy()
                .enabled());
    }

    @Test
    void mistakesAreOneLineNamingFileLineAndKey() {
        assertEquals(
                "e.conf: 3: energy.ram-power-per-gb-w: must be a number at least 0, found -1",
                error("energy.ram-power-per-gb-w = -1\n"));
        assertEquals(
                "e.conf: 3: provenance.packages: \"sk learn\" is no Python package name",
                error("provenance.packages = [\"sk learn\"]\n"));
        assertTrue(error("logtables { energy { j = double } }\n")
                .endsWith(
                        "logtables.energy: 'energy' is the built-in table of energy per attempt; choose another name"));
        assertTrue(error("energy.cpu-power-per-cor-w = 3\n").contains("energy.cpu-power-per-cor-w"));
    }
}
