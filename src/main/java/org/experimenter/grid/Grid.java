package org.experimenter.grid;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The cartesian product of parameter values, produced lazily in row-major order (the last
 * parameter varies fastest), so that a grid of millions of rows never sits in memory.
 */
public final class Grid implements Iterable<Object[]> {
    private final List<Parameter> parameters;

    public Grid(List<Parameter> parameters) {
        this.parameters = List.copyOf(parameters);
    }

    public List<Parameter> parameters() {
        return parameters;
    }

    /** The number of combinations; 0 when any parameter has no values. */
    public long size() {
        long n = 1;
        for (Parameter p : parameters) {
            n = Math.multiplyExact(n, (long) p.values().size());
        }
        return n;
    }

    @Override
    public Iterator<Object[]> iterator() {
        int k = parameters.size();
        List<List<Object>> lists = new ArrayList<>(k);
        for (Parameter p : parameters) {
            lists.add(p.values());
        }
        return new Iterator<>() {
            private final int[] index = new int[k];
            private boolean hasNext = size() > 0;

            @Override
            public boolean hasNext() {
                return hasNext;
            }

            @Override
            public Object[] next() {
                if (!hasNext) {
                    throw new NoSuchElementException();
                }
                Object[] row = new Object[k];
                for (int i = 0; i < k; i++) {
                    row[i] = lists.get(i).get(index[i]);
                }
                int i = k - 1;
                while (i >= 0) {
                    if (++index[i] < lists.get(i).size()) {
                        break;
                    }
                    index[i] = 0;
                    i--;
                }
                hasNext = i >= 0;
                return row;
            }
        };
    }
}
