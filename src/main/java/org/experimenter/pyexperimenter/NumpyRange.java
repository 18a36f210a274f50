package org.experimenter.pyexperimenter;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code numpy.arange(start, stop, step).tolist()}, which PyExperimenter expands a range with:
 * integers when start, stop and step are all integers, else doubles computed as numpy does
 * (length {@code ceil((stop - start) / step)}, then {@code start + i * delta} with
 * {@code delta = (start + step) - start}), floating-point error and all, so that
 * {@code arange(0.1, 0.5, 0.1)} gives 0.30000000000000004 and {@code arange(1, 1.3, 0.1)} four
 * values, as the table PyExperimenter filled has them.
 */
final class NumpyRange {
    private NumpyRange() {}

    static List<Object> arange(Number start, Number stop, Number step) {
        boolean integers = start instanceof Long && stop instanceof Long && step instanceof Long;
        List<Object> out = new ArrayList<>();
        if (integers) {
            long a = start.longValue();
            long b = stop.longValue();
            long s = step.longValue();
            if (s == 0) {
                throw new IllegalArgumentException("step 0: numpy refuses it (division by zero)");
            }
            long n = Math.max(0, -Math.floorDiv(-(b - a), s)); // ceil((stop - start) / step)
            for (long i = 0; i < n; i++) {
                out.add(a + i * s);
            }
            return out;
        }
        double a = start.doubleValue();
        double b = stop.doubleValue();
        double s = step.doubleValue();
        if (s == 0) {
            throw new IllegalArgumentException("step 0: numpy refuses it (division by zero)");
        }
        double len = Math.ceil((b - a) / s);
        if (!(len > 0)) {
            return out;
        }
        if (len > 10_000_000) {
            throw new IllegalArgumentException("the range has " + (long) len + " values; at most 10,000,000");
        }
        long n = (long) len;
        out.add(a);
        if (n > 1) {
            double second = a + s;
            out.add(second);
            double delta = second - a;
            for (long i = 2; i < n; i++) {
                out.add(a + i * delta);
            }
        }
        return out;
    }
}
