package org.experimenter.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A LIKE pattern of the --where rule ({@code %} any run, {@code _} one character, a backslash
 * before {@code % _ \} for that character) matched in time linear in the text times the pattern.
 * Spark matches LIKE with a backtracking regular expression, whose time grows as the text's
 * length to the power of the pattern's {@code %}s: {@code error LIKE '%e%e%e%e%e%e%x'} over a
 * few stack traces kept a Spark task (and the web view's one Spark thread) busy for hours. Here
 * the pieces between {@code %}s, each of fixed length, are placed leftmost one after another,
 * which finds a match whenever there is one.
 */
final class LikePattern implements Serializable {
    private static final long serialVersionUID = 1L;
    /** A code point that stands for {@code _}. */
    private static final int ANY = -1;

    /** The pieces between the {@code %}s, as code points; more than one when there is a {@code %}. */
    private final int[][] pieces;

    LikePattern(String pattern) {
        List<int[]> out = new ArrayList<>();
        List<Integer> piece = new ArrayList<>();
        int[] cps = pattern.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            if (c == '\\' && i + 1 < cps.length) {
                piece.add(cps[++i]);
            } else if (c == '%') {
                out.add(piece.stream().mapToInt(Integer::intValue).toArray());
                piece.clear();
            } else {
                piece.add(c == '_' ? ANY : c);
            }
        }
        out.add(piece.stream().mapToInt(Integer::intValue).toArray());
        this.pieces = out.toArray(new int[0][]);
    }

    /**
     * Whether Spark's own LIKE reads the pattern without a regular expression (its optimizer makes
     * {@code abc}, {@code abc%}, {@code %abc}, {@code abc%def} and {@code %abc%} comparisons of
     * text, which the JDBC source also hands to the database).
     */
    static boolean plain(String pattern) {
        if (pattern.indexOf('_') >= 0 || pattern.indexOf('\\') >= 0) {
            return false;
        }
        long wildcards = pattern.chars().filter(c -> c == '%').count();
        return wildcards <= 1 && !pattern.equals("%")
                || wildcards == 2 && pattern.length() > 2 && pattern.startsWith("%") && pattern.endsWith("%");
    }

    /** Null for a null text, as LIKE. */
    Boolean matches(String text) {
        if (text == null) {
            return null;
        }
        int[] s = text.codePoints().toArray();
        int[] first = pieces[0];
        if (pieces.length == 1) {
            return s.length == first.length && at(s, 0, first);
        }
        int[] last = pieces[pieces.length - 1];
        if (s.length < first.length + last.length || !at(s, 0, first) || !at(s, s.length - last.length, last)) {
            return false;
        }
        int from = first.length;
        int end = s.length - last.length; // the middle pieces lie in [from, end)
        for (int p = 1; p < pieces.length - 1; p++) {
            int[] piece = pieces[p];
            int found = -1;
            for (int i = from; i + piece.length <= end; i++) {
                if (at(s, i, piece)) {
                    found = i;
                    break;
                }
            }
            if (found < 0) {
                return false;
            }
            from = found + piece.length;
        }
        return true;
    }

    private static boolean at(int[] s, int i, int[] piece) {
        for (int j = 0; j < piece.length; j++) {
            if (piece[j] != ANY && piece[j] != s[i + j]) {
                return false;
            }
        }
        return true;
    }
}
