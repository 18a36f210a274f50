package org.experimenter.eval.stats;

import org.apache.commons.math3.special.Beta;
import org.apache.commons.math3.special.Gamma;

/**
 * The Friedman test of k methods on N data sets with the Iman-Davenport F form, as in Demšar (2006), "Statistical
 * comparisons of classifiers over multiple data sets", JMLR 7, section 3.2.2.
 *
 * <p>Within each data set the methods are ranked, 1 for the best, ties averaged. The chi-square statistic carries
 * the tie correction of scipy's {@code friedmanchisquare}: divided by 1 - sum(t^3 - t) / (N k (k^2 - 1)) over all
 * groups of t tied values.
 *
 * @param datasets N
 * @param methods k
 * @param averageRanks each method's rank averaged over the data sets, in the order of the methods
 * @param chiSquare the tie-corrected Friedman statistic, chi-square with k - 1 df under the null hypothesis
 * @param p its upper tail probability
 * @param imanDavenport (N - 1) chi2 / (N (k - 1) - chi2), F with k - 1 and (k - 1)(N - 1) df
 * @param pImanDavenport its upper tail probability
 */
public record Friedman(
        int datasets,
        int methods,
        double[] averageRanks,
        double chiSquare,
        double p,
        double imanDavenport,
        double pImanDavenport) {

    /**
     * @param values values[dataset][method], no NaN
     * @param lowerIsBetter whether the lowest value ranks 1 (an error) or the highest (an accuracy)
     */
    public static Friedman test(double[][] values, boolean lowerIsBetter) {
        int n = values.length;
        if (n < 2) {
            throw new IllegalArgumentException("the Friedman test needs at least two data sets, got " + n);
        }
        int k = values[0].length;
        if (k < 2) {
            throw new IllegalArgumentException("the Friedman test needs at least two methods, got " + k);
        }
        double[] rankSums = new double[k];
        double ties = 0;
        for (double[] row : values) {
            double[] oriented = new double[k];
            for (int j = 0; j < k; j++) {
                oriented[j] = lowerIsBetter ? row[j] : -row[j];
            }
            double[] r = Ranks.of(oriented);
            for (int j = 0; j < k; j++) {
                rankSums[j] += r[j];
            }
            ties += Ranks.tieTerm(oriented);
        }
        double[] average = new double[k];
        double squares = 0;
        for (int j = 0; j < k; j++) {
            average[j] = rankSums[j] / n;
            squares += rankSums[j] * rankSums[j];
        }
        double chi = (12.0 / (k * n * (k + 1.0)) * squares - 3.0 * n * (k + 1)) / (1 - ties / (n * k * (k * k - 1.0)));
        double p = chiSquareSurvival(chi, k - 1);
        double f = (n - 1) * chi / (n * (k - 1) - chi);
        double pf = fSurvival(f, k - 1, (k - 1.0) * (n - 1));
        return new Friedman(n, k, average, chi, p, f, pf);
    }

    /** P(X > x) for chi-square with df degrees of freedom, through the upper regularized gamma function. */
    static double chiSquareSurvival(double x, double df) {
        return x <= 0 ? 1 : Gamma.regularizedGammaQ(df / 2, x / 2, 1e-15, 100_000);
    }

    /**
     * P(X > f) for F(d1, d2) = I_{d2/(d2 + d1 f)}(d2/2, d1/2), the regularized incomplete beta function. Infinite
     * when every data set ranks the methods alike (chi2 = N(k-1)): p is then 0.
     */
    static double fSurvival(double f, double d1, double d2) {
        if (Double.isInfinite(f) || f < 0) {
            return f < 0 ? 1 : 0;
        }
        return Beta.regularizedBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2, 1e-15, 100_000);
    }
}
