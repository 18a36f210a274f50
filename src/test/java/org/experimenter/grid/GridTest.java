package org.experimenter.grid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.experimenter.FieldType;
import org.junit.jupiter.api.Test;

class GridTest {
    private static Parameter p(String name, Object... values) {
        return new Parameter(name, FieldType.STRING, List.of(values));
    }

    private static List<Object[]> all(Grid g) {
        List<Object[]> out = new ArrayList<>();
        g.forEach(out::add);
        return out;
    }

    @Test
    void theLastParameterVariesFastest() {
        List<Object[]> rows = all(new Grid(List.of(p("a", "x", "y"), p("b", 1, 2, 3))));
        assertEquals(6, rows.size());
        assertArrayEquals(new Object[] {"x", 1}, rows.get(0));
        assertArrayEquals(new Object[] {"x", 3}, rows.get(2));
        assertArrayEquals(new Object[] {"y", 1}, rows.get(3));
        assertArrayEquals(new Object[] {"y", 3}, rows.get(5));
    }

    @Test
    void theSizeIsTheProductAndAnEmptyParameterEmptiesTheGrid() {
        assertEquals(24, new Grid(List.of(p("a", 1, 2), p("b", 1, 2, 3), p("c", 1, 2, 3, 4))).size());
        Grid empty = new Grid(List.of(p("a", 1, 2), p("b")));
        assertEquals(0, empty.size());
        Iterator<Object[]> it = empty.iterator();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
    }

    @Test
    void aGridOfNoParametersHasOneEmptyRow() {
        List<Object[]> rows = all(new Grid(List.of()));
        assertEquals(1, rows.size());
        assertEquals(0, rows.get(0).length);
    }

    @Test
    void aSizeBeyondALongIsAnErrorNotAWrongCount() {
        List<Object> many = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            many.add(i);
        }
        List<Parameter> ps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ps.add(new Parameter("p" + i, FieldType.INT, many));
        }
        assertThrows(ArithmeticException.class, () -> new Grid(ps).size());
    }
}
