package org.experimenter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.experimenter.FieldType;
import org.experimenter.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HalvingConfigTest {
    @TempDir
    Path dir;

    private static final String FIELDS = String.join(
            "\n",
            "database { table = runs }",
            "keyfields {",
            "  dataset { type = string, values = [iris, wine] }",
            "  lr { type = double, values = [0.1, 0.2] }",
            "  epochs { type = int }",
            "}",
            "resultfields { val_loss = double, note = string }",
            "");

    private ExperimentConfig load(String halving) throws Exception {
        Path f = dir.resolve("exp.conf");
        Files.writeString(f, FIELDS + halving + "\n");
        return ExperimentConfig.load(f);
    }

    /** The one-line message of a config with this halving section (from line 8). */
    private String error(String halving) throws Exception {
        return assertThrows(InvalidConfigException.class, () -> load(halving)).getMessage();
    }

    private static String section(String... keys) {
        return "halving {\n  " + String.join("\n  ", keys) + "\n}";
    }

    private static final String[] GOOD = {
        "field = epochs",
        "min = 1",
        "max = 81",
        "eta = 3",
        "by = [dataset]",
        "value = val_loss",
        "lower-is-better = true"
    };

    private static String[] with(String key, String replacement) {
        String[] out = GOOD.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i].startsWith(key + " ")) {
                out[i] = replacement;
            }
        }
        return out;
    }

    @Test
    void aValidSectionIsReadWithDefaults() throws Exception {
        HalvingSettings h = load(section(GOOD)).halving();
        assertEquals("epochs", h.field());
        assertEquals(FieldType.INT, h.fieldType());
        assertEquals(1.0, h.min());
        assertEquals(81.0, h.max());
        assertEquals(3, h.eta());
        assertEquals(List.of("dataset"), h.by());
        assertEquals("val_loss", h.value());
        assertEquals(true, h.lowerIsBetter());
        assertEquals(HalvingSettings.Mode.SYNC, h.mode());
        assertEquals(1, h.brackets());
        assertEquals(27, h.budgetValue(3));
    }

    @Test
    void withoutTheSectionThereIsNoHalving() throws Exception {
        assertNull(load("").halving());
    }

    @Test
    void eachMistakeIsOneLineNamingFileLineAndKey() throws Exception {
        String f = dir.resolve("exp.conf").toString();
        assertEquals(
                f + ": 9: halving.field: seed is not a keyfield; the keyfields are [dataset, lr, epochs]",
                error(section(with("field", "field = seed"))));
        assertEquals(
                f + ": 9: halving.field: keyfield dataset is a string; the budget must be an int, long or double"
                        + " keyfield",
                error(section(with("field", "field = dataset"))));
        assertEquals(
                f + ": 12: halving.eta: must be at least 2 (each rung keeps 1/eta of the one below), found 1",
                error(section(with("eta", "eta = 1"))));
        assertEquals(
                f + ": 11: halving.max: must be at least min (1), found 0", error(section(with("max", "max = 0"))));
        assertEquals(f + ": 10: halving.min: must be above 0, found 0", error(section(with("min", "min = 0"))));
        assertEquals(
                f + ": 10: halving.min: the budget keyfield is a int, so 0.5 cannot be a budget",
                error(section(with("min", "min = 0.5"))));
        assertEquals(
                f + ": 14: halving.value: accuracy is not a result field; the result fields are [val_loss, note]",
                error(section(with("value", "value = accuracy"))));
        assertEquals(
                f + ": 14: halving.value: result field note is a string; a rung is ranked by an int, long or double",
                error(section(with("value", "value = note"))));
        assertEquals(
                f + ": 13: halving.by: epochs is the budget keyfield (halving.field); rows are grouped by the others",
                error(section(with("by", "by = [epochs]"))));
        assertEquals(
                f + ": 13: halving.by: seed is not a keyfield; the keyfields are [dataset, lr, epochs]",
                error(section(with("by", "by = [seed]"))));
        assertEquals(
                f + ": 16: halving.mode: expected sync or async, found 'eager'",
                error(section(with("lower-is-better", "lower-is-better = true\n  mode = eager"))));
        assertEquals(
                f + ": 8: halving: lower-is-better: missing; true when val_loss is a loss, false when higher is better",
                error(section(with("lower-is-better", ""))));
        assertEquals(
                f + ": 16: halving.brackets: must be from 1 to 5 (the rungs from 1 to 81 by eta 3), found 6",
                error(section(with("lower-is-better", "lower-is-better = true\n  brackets = 6"))));
        assertEquals(
                f + ": 16: halving.rungs: unknown key",
                error(section(with("lower-is-better", "lower-is-better = true\n  rungs = 5"))));
    }

    @Test
    void theBudgetKeyfieldHasNoValuesOfItsOwn() throws Exception {
        Path f = dir.resolve("exp.conf");
        Files.writeString(
                f, FIELDS.replace("epochs { type = int }", "epochs { type = int, values = [1, 3] }") + section(GOOD));
        String e = assertThrows(InvalidConfigException.class, () -> ExperimentConfig.load(f))
                .getMessage();
        assertEquals(
                f + ": 5: keyfields.epochs.values: the budget keyfield of halving has no values of its own: fill"
                        + " starts every configuration at halving.min and promotions add the larger budgets",
                e);
    }

    /**
     * An int budget keyfield with max beyond the largest int: the rung at 2^32 became budget 0
     * ((int) of the rounded long) and promotions inserted rows on no rung; refused at load now.
     */
    @Test
    void aBudgetBeyondTheKeyfieldsTypeIsRefused() throws Exception {
        String f = dir.resolve("exp.conf").toString();
        assertEquals(
                f + ": 11: halving.max: the budget keyfield is an int, whose largest value is 2147483647, found"
                        + " 4294967296",
                error(section(
                        "field = epochs",
                        "min = 1",
                        "max = 4294967296",
                        "eta = 2",
                        "value = val_loss",
                        "lower-is-better = true")));
    }

    /**
     * A long budget up to 2^62 by eta 2 is 63 rungs: the plan's first bracket needs 63 x 2^62
     * configurations, which overflowed to negative counts in fill --dry-run's plan (and an
     * ArithmeticException for 3^45 by eta 3); refused at load now.
     */
    @Test
    void aPlanWhoseConfigurationCountsAreBeyondALongIsRefused() throws Exception {
        Path f = dir.resolve("exp.conf");
        Files.writeString(
                f,
                FIELDS.replace("epochs { type = int }", "epochs { type = long }")
                        + section(
                                "field = epochs",
                                "min = 1",
                                "max = 4611686018427387904",
                                "eta = 2",
                                "value = val_loss",
                                "lower-is-better = true")
                        + "\n");
        assertEquals(
                f + ": 11: halving.max: 63 rungs from 1 to 4.61169e+18 by eta 2 are too many: the first bracket's"
                        + " configuration count is beyond a long; give a smaller max or a larger min",
                assertThrows(InvalidConfigException.class, () -> ExperimentConfig.load(f))
                        .getMessage());
    }
}
