package org.experimenter.eval.stats;

/**
 * One paired test's outcome.
 *
 * @param test "wilcoxon" or "ttest"
 * @param statistic the test statistic (Wilcoxon: the smaller signed-rank sum; t-test: t)
 * @param p the two-sided p-value; NaN where no test is possible
 * @param pairs the pairs the test used (Wilcoxon: after dropping zero differences)
 * @param method how the p-value was found: "exact", "normal approximation", ...
 */
public record TestResult(String test, double statistic, double p, int pairs, String method) {}
