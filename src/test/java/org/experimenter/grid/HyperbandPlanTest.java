package org.experimenter.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HyperbandPlanTest {
    /** Each bracket as "n@r n@r ...". */
    private static List<String> brackets(HyperbandPlan plan) {
        List<String> out = new ArrayList<>();
        for (HyperbandPlan.Bracket b : plan.brackets()) {
            StringBuilder s = new StringBuilder();
            for (HyperbandPlan.Rung r : b.rungs()) {
                s.append(s.length() == 0 ? "" : " ").append(r.n()).append('@').append(HyperbandPlan.number(r.budget()));
            }
            out.add(s.toString());
        }
        return out;
    }

    @Test
    void rEightyOneEtaThreeIsTableOneOfLiEtAl() {
        HyperbandPlan plan = new HyperbandPlan(1, 81, 3);
        assertEquals(4, plan.maxRung());
        assertEquals(
                List.of("81@1 27@3 9@9 3@27 1@81", "34@3 11@9 3@27 1@81", "15@9 5@27 1@81", "8@27 2@81", "5@81"),
                brackets(plan));
    }

    @Test
    void otherBudgetsAndEtasFollowTheSameFormula() {
        // R = 27, eta = 3: s_max = 3, n = ceil(4/(s+1) x 3^s)
        assertEquals(
                List.of("27@1 9@3 3@9 1@27", "12@3 4@9 1@27", "6@9 2@27", "4@27"),
                brackets(new HyperbandPlan(1, 27, 3)));
        // R = 8, eta = 2, budgets from 0.125 (a data fraction)
        assertEquals(
                List.of("8@0.125 4@0.25 2@0.5 1@1", "6@0.25 3@0.5 1@1", "4@0.5 2@1", "4@1"),
                brackets(new HyperbandPlan(0.125, 1, 2)));
        // a max that is no power of eta: the rungs stop at the last min x eta^k below it
        HyperbandPlan p = new HyperbandPlan(1, 100, 3);
        assertEquals(4, p.maxRung());
        assertEquals(81.0, p.budget(4));
        // min = max: one bracket of one rung
        assertEquals(List.of("1@5"), brackets(new HyperbandPlan(5, 5, 3)));
    }

    @Test
    void rungsAreFoundFromTheirBudgetEvenWithRoundingInDoubles() {
        HyperbandPlan p = new HyperbandPlan(0.1, 8.1, 3);
        assertEquals(4, p.maxRung());
        assertEquals(2, p.rungOf(0.9));
        assertEquals(-1, p.rungOf(0.5));
        assertEquals(-1, p.rungOf(24.3));
    }

    @Test
    void theDescriptionHasOneLinePerBracket() {
        String d = new HyperbandPlan(1, 81, 3).describe("epochs");
        assertTrue(d.contains("  s=3: 34 x 3, 11 x 9, 3 x 27, 1 x 81   (49 rows, budget 363)"), d);
        assertEquals(6, d.split("\n").length, d);
    }

    @Test
    void impossiblePlansAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new HyperbandPlan(1, 81, 1));
        assertThrows(IllegalArgumentException.class, () -> new HyperbandPlan(9, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> new HyperbandPlan(0, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> new HyperbandPlan(1, 81, 3).bracket(5));
    }

    @Test
    void ashasCutOnOneToNineWithEtaThreeIsRaysSixPointThree() {
        double[] v = {5, 1, 9, 2, 8, 3, 7, 4, 6};
        double cut = PromotionCut.cut(v, 3, false);
        assertEquals(6.333333333333333, cut, 1e-12); // np.nanpercentile(range(1, 10), (1 - 1/3) * 100)
        List<Integer> promoted = new ArrayList<>();
        for (double x : v) {
            if (PromotionCut.makes(x, cut, false)) {
                promoted.add((int) x);
            }
        }
        assertEquals(List.of(9, 8, 7), promoted);
        // lower is better: Ray negates the metric, so the cut is the 33.3rd percentile, 3.667
        double low = PromotionCut.cut(v, 3, true);
        assertEquals(3.6666666666666665, low, 1e-12);
        assertTrue(PromotionCut.makes(3, low, true));
        assertFalse(PromotionCut.makes(4, low, true));
        assertTrue(Double.isNaN(PromotionCut.cut(new double[] {Double.NaN}, 3, false)));
        assertEquals(5.0, PromotionCut.cut(new double[] {5, Double.NaN}, 3, false));
    }
}
