package org.experimenter.grid;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The brackets of Hyperband (Li et al., JMLR 2018, Algorithm 1 and Table 1) over the rungs
 * {@code min x eta^k <= max}: with {@code s_max} the highest such k, bracket {@code s} starts
 * {@code n = ceil((s_max + 1) / (s + 1) x eta^s)} configurations at rung {@code s_max - s} and
 * keeps {@code floor(n / eta^i)} of them at its i-th rung. When {@code max / min} is a power of
 * eta this is Li et al.'s plan with {@code R = max / min}; for R = 81, eta = 3: 81/27/9/3/1 at
 * 1/3/9/27/81, 34/11/3/1 at 3/9/27/81, 15/5/1 at 9/27/81, 8/2 at 27/81 and 5 at 81. Successive
 * halving alone is the first bracket.
 *
 * <pre>{@code
 * HyperbandPlan plan = new HyperbandPlan(1, 81, 3);
 * plan.brackets().get(1).rungs();   // [34 at 3, 11 at 9, 3 at 27, 1 at 81]
 * }</pre>
 */
public record HyperbandPlan(double min, double max, int eta) implements java.io.Serializable {
    /** One rung of a bracket: {@code n} configurations run with budget {@code budget}, rung {@code index}. */
    public record Rung(int index, long n, double budget) implements java.io.Serializable {}

    /** Bracket {@code s}: its rungs, from the most configurations on the least budget up. */
    public record Bracket(int s, List<Rung> rungs) implements java.io.Serializable {
        public Bracket {
            rungs = List.copyOf(rungs);
        }
    }

    public HyperbandPlan {
        if (eta < 2) {
            throw new IllegalArgumentException("eta must be at least 2, found " + eta);
        }
        if (!(min > 0) || !(max >= min) || Double.isInfinite(max)) {
            throw new IllegalArgumentException("need 0 < min <= max, found min " + min + ", max " + max);
        }
    }

    /** The highest k with {@code min x eta^k <= max}: the number of rungs less one. */
    public int maxRung() {
        int k = 0;
        // relative slack: 0.1 x 3^k must reach 8.1 although 0.1 x 81 is 8.100000000000001
        while (min * Math.pow(eta, k + 1) <= max * (1 + 1e-9)) {
            k++;
        }
        return k;
    }

    /** The budget of rung k: {@code min x eta^k}. */
    public double budget(int k) {
        return min * Math.pow(eta, k);
    }

    /** The rung whose budget this is, or -1 when it is none. */
    public int rungOf(double budget) {
        for (int k = 0; k <= maxRung(); k++) {
            if (Math.abs(budget(k) - budget) <= 1e-9 * Math.max(1, Math.abs(budget))) {
                return k;
            }
        }
        return -1;
    }

    /** Every bracket, s = s_max down to 0 (the order Hyperband runs them in). */
    public List<Bracket> brackets() {
        int smax = maxRung();
        List<Bracket> out = new ArrayList<>();
        for (int s = smax; s >= 0; s--) {
            out.add(bracket(s));
        }
        return out;
    }

    /** Bracket s (0 <= s <= s_max). */
    public Bracket bracket(int s) {
        int smax = maxRung();
        if (s < 0 || s > smax) {
            throw new IllegalArgumentException("bracket " + s + " does not exist; s runs from 0 to " + smax);
        }
        long etaS = pow(eta, s);
        long n = ceilDiv(Math.multiplyExact(smax + 1L, etaS), s + 1L);
        List<Rung> rungs = new ArrayList<>();
        for (int i = 0; i <= s; i++) {
            rungs.add(new Rung(smax - s + i, n / pow(eta, i), budget(smax - s + i)));
        }
        return new Bracket(s, rungs);
    }

    /** The plan as text, one line per bracket: {@code s=3: 34 x 3, 11 x 9, 3 x 27, 1 x 81}. */
    public String describe(String field) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "Hyperband over %s, min %s, max %s, eta %d: %d brackets (n configurations x budget per rung)%n",
                field,
                number(min),
                number(max),
                eta,
                maxRung() + 1));
        for (Bracket br : brackets()) {
            List<String> parts = new ArrayList<>();
            long runs = 0;
            double total = 0;
            for (Rung r : br.rungs()) {
                parts.add(r.n() + " x " + number(r.budget()));
                runs += r.n();
                total += r.n() * r.budget();
            }
            b.append(String.format(
                    Locale.ROOT,
                    "  s=%d: %s   (%d rows, budget %s)%n",
                    br.s(),
                    String.join(", ", parts),
                    runs,
                    number(total)));
        }
        return b.toString();
    }

    /** A budget as it is typed: 3, not 3.0; 0.3 as 0.3. */
    public static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("\\.?0+$", "");
    }

    private static long pow(long base, int exp) {
        long r = 1;
        for (int i = 0; i < exp; i++) {
            r = Math.multiplyExact(r, base);
        }
        return r;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
