#!/usr/bin/python3
"""Writes reference.tsv: scipy's and statsmodels' answers for generated data, which the stats tests read.

Run with Debian's python3 (python3-scipy, python3-statsmodels): /usr/bin/python3 make_reference.py > reference.tsv
Each line: kind, inputs, expected outputs, tab-separated; lists comma-separated, floats as repr (17 digits).

The Wilcoxon method is chosen explicitly: exact with at most 50 pairs and neither zeros nor tied absolute
differences, otherwise the normal approximation. scipy 1.10's method='auto' would keep 'exact' with ties (and
truncate the non-integer rank sum); the Java side takes the normal approximation there, as scipy 1.13 does.
"""
import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.multitest import multipletests


def fmt(xs):
    return ",".join(repr(float(x)) for x in xs)


def has_ties_or_zeros(d):
    a = np.abs(d[d != 0])
    return np.any(d == 0) or len(np.unique(a)) != len(a)


rng = np.random.RandomState(20061201)
print("# scipy %s statsmodels %s numpy %s" % (scipy.__version__, statsmodels.__version__, np.__version__))
for n in [3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 50, 51, 60, 80]:
    for shift in [0.0, 0.3, 1.0]:
        for rounded in [False, True]:
            a = rng.normal(0, 1, n)
            b = a - shift + rng.normal(0, 1, n)
            if rounded:
                # two decimals of a coarse scale: ties and zero differences
                a, b = np.round(a * 2) / 2, np.round(b * 2) / 2
            d = a - b
            if np.all(d == 0):
                continue
            method = "approx" if (n > 50 or has_ties_or_zeros(d)) else "exact"
            w = stats.wilcoxon(a, b, mode=method) if scipy.__version__ < "1.9" else stats.wilcoxon(a, b, method=method)
            print("wilcoxon\t%s\t%s\t%r\t%r\t%s" % (fmt(a), fmt(b), float(w.statistic), float(w.pvalue), method))
            t = stats.ttest_rel(a, b)
            if np.isfinite(t.pvalue):
                print("ttest\t%s\t%s\t%r\t%r" % (fmt(a), fmt(b), float(t.statistic), float(t.pvalue)))

for m in [1, 2, 3, 5, 8, 13]:
    for _ in range(3):
        p = rng.uniform(0, 0.2, m) ** 2
        print("holm\t%s\t%s" % (fmt(p), fmt(multipletests(p, method="holm")[1])))

for n, k in [(5, 3), (10, 4), (14, 4), (30, 6), (8, 10)]:
    x = np.round(rng.normal(0, 1, (n, k)) + np.linspace(0, 1, k), 1)
    chi, p = stats.friedmanchisquare(*x.T)
    f = (n - 1) * chi / (n * (k - 1) - chi)
    pf = stats.f.sf(f, k - 1, (k - 1) * (n - 1))
    print("friedman\t%d\t%d\t%s\t%r\t%r\t%r\t%r" % (n, k, fmt(x.ravel()), chi, p, f, pf))

for k in range(2, 11):
    for alpha in [0.05, 0.10]:
        # the studentized range with df = inf is the limit; scipy integrates with a large df just as well
        q = stats.studentized_range.ppf(1 - alpha, k, np.inf)
        print("qrange\t%d\t%r\t%r" % (k, alpha, q))
        # Bonferroni-Dunn's q_alpha: the normal quantile for k - 1 two-sided comparisons
        print("dunn\t%d\t%r\t%r" % (k, alpha, stats.norm.isf(alpha / (2 * (k - 1)))))

# Demsar 2006 Table 6 (voting C4.5+cf 0.975): Wilcoxon of every pair of methods over the 14 data sets, Holm over the 6
demsar = np.array([
    [0.763, 0.599, 0.954, 0.628, 0.882, 0.936, 0.661, 0.583, 0.775, 1.0, 0.94, 0.619, 0.972, 0.957],
    [0.768, 0.591, 0.971, 0.661, 0.888, 0.931, 0.668, 0.583, 0.838, 1.0, 0.962, 0.666, 0.981, 0.978],
    [0.771, 0.590, 0.968, 0.654, 0.886, 0.916, 0.609, 0.563, 0.866, 1.0, 0.965, 0.614, 0.975, 0.946],
    [0.798, 0.569, 0.967, 0.657, 0.898, 0.931, 0.685, 0.625, 0.875, 1.0, 0.962, 0.669, 0.975, 0.970]])
pairs = [(a, b) for a in range(4) for b in range(a + 1, 4)]
# differences in float64 tie only by chance; scipy sees the same doubles as Java, so the method rule is the same
results = []
for a, b in pairs:
    d = demsar[a] - demsar[b]
    method = "approx" if has_ties_or_zeros(d) else "exact"
    results.append(stats.wilcoxon(demsar[a], demsar[b], method=method))
holm = multipletests([r.pvalue for r in results], method="holm")[1]
for (a, b), r, h in zip(pairs, results, holm):
    print("demsar_pair\t%d\t%d\t%r\t%r\t%r" % (a, b, float(r.statistic), float(r.pvalue), h))
