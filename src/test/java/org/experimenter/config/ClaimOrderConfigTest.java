package org.experimenter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.experimenter.InvalidConfigException;
import org.junit.jupiter.api.Test;

/** execution.order and execution.seed-field, checked when the config is loaded. */
class ClaimOrderConfigTest {
    static final String BASE = String.join(
            "\n",
            "database.table = t",
            "keyfields {",
            "  dataset { type = string, values = [a] }",
            "  seed { type = int, values = [0, 1] }",
            "  big { type = long, values = [0] }",
            "}",
            "");

    private static String error(String extra) {
        return assertThrows(InvalidConfigException.class, () -> ExperimentConfig.parse(BASE + extra, "e.conf"))
                .getMessage();
    }

    @Test
    void idOrderIsTheDefault() {
        ExperimentConfig c = ExperimentConfig.parse(BASE, "e.conf");
        assertEquals("id", c.claimOrder());
        assertNull(c.seedMajorField());
    }

    @Test
    void seedMajorTakesTheSeedKeyfieldByDefault() {
        ExperimentConfig c = ExperimentConfig.parse(BASE + "execution.order = seed-major\n", "e.conf");
        assertEquals("seed", c.seedMajorField());
    }

    @Test
    void anUnknownOrderOrASeedFieldThatIsNoIntKeyfieldIsRefusedNamingFileLineAndKey() {
        assertEquals(
                "e.conf: 7: execution.order: expected id or seed-major, found seeds-first",
                error("execution.order = seeds-first\n"));
        assertEquals(
                "e.conf: 7: execution.seed-field: rep is not a keyfield; the keyfields are [dataset, seed, big]",
                error("execution { order = seed-major, seed-field = rep }\n"));
        assertEquals(
                "e.conf: 7: execution.seed-field: big is a long keyfield; seed-major order needs an int keyfield",
                error("execution { order = seed-major, seed-field = big }\n"));
        assertEquals(
                "e.conf: 7: execution.seed-field: dataset is a string keyfield; seed-major order needs an int"
                        + " keyfield",
                error("execution { order = seed-major, seed-field = dataset }\n"));
    }

    @Test
    void aSeedFieldIsNotCheckedInIdOrder() {
        assertEquals(
                "id",
                ExperimentConfig.parse(BASE + "execution.seed-field = rep\n", "e.conf")
                        .claimOrder());
    }
}
