package org.experimenter.slurm;

import java.util.ArrayList;
import java.util.List;
import org.experimenter.ExperimenterException;

/**
 * Slurm's hostlist expressions expanded as {@code scontrol show hostnames} does: names separated
 * by commas, each with any number of bracketed lists of numbers and ranges, e.g.
 * {@code c[1-3,5],d7} is c1 c2 c3 c5 d7 and {@code n[01-03]} keeps the zero padding (n01 n02
 * n03: a range is as wide as its lower bound is written). Several brackets in one name expand
 * to every combination, in order ({@code r[1-2]n[1-2]} is r1n1 r1n2 r2n1 r2n2). Order and
 * repeats are kept, empty names skipped; text after the last bracket is refused, as by
 * scontrol (Slurm 22.05).
 */
public final class Hostlist {
    /** More names than any allocation has: a typo such as n[1-100000000] is refused, not expanded. */
    static final int MAX_HOSTS = 100_000;

    private Hostlist() {}

    /** The host names of an expression, in order; a malformed one is refused with its reason. */
    public static List<String> expand(String expression) {
        List<String> out = new ArrayList<>();
        for (String name : topLevelNames(expression)) {
            expandName(expression, name, 0, "", out);
        }
        return out;
    }

    /** The comma-separated names of the expression; commas inside brackets belong to the name. */
    private static List<String> topLevelNames(String expression) {
        List<String> names = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (c == '[') {
                if (++depth > 1) {
                    throw bad(expression, "nested '['");
                }
            } else if (c == ']') {
                if (--depth < 0) {
                    throw bad(expression, "']' without '['");
                }
            } else if (c == ',' && depth == 0) {
                names.add(expression.substring(start, i));
                start = i + 1;
            } else if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw bad(expression, "a space or control character");
            }
        }
        if (depth != 0) {
            throw bad(expression, "'[' without ']'");
        }
        names.add(expression.substring(start));
        // as scontrol: empty names (",a", "a,") are skipped
        names.removeIf(String::isEmpty);
        if (names.isEmpty()) {
            throw bad(expression, "no host names");
        }
        return names;
    }

    /** Appends the names of name's brackets from index from on, each after the given prefix. */
    private static void expandName(String expression, String name, int from, String prefix, List<String> out) {
        int open = name.indexOf('[', from);
        if (open < 0) {
            if (from > 0 && from < name.length()) {
                // scontrol refuses n[1-3]x too: text after a bracket only before another bracket
                throw bad(expression, "'" + name.substring(from) + "' after the last ']'");
            }
            add(expression, out, prefix + name.substring(from));
            return;
        }
        int close = name.indexOf(']', open);
        String head = prefix + name.substring(from, open);
        for (String part : name.substring(open + 1, close).split(",", -1)) {
            for (String number : numbers(expression, part)) {
                expandName(expression, name, close + 1, head + number, out);
            }
        }
    }

    /** The numbers of one bracket entry: "5", or "01-03" padded to the width of its lower bound. */
    private static List<String> numbers(String expression, String part) {
        int dash = part.indexOf('-');
        String lo = dash < 0 ? part : part.substring(0, dash);
        String hi = dash < 0 ? part : part.substring(dash + 1);
        if (!digits(lo) || !digits(hi)) {
            throw bad(expression, "'" + part + "' is not a number or a range such as 1-3");
        }
        if (lo.length() > 9 || hi.length() > 9) {
            throw bad(expression, "'" + part + "' has too large a number");
        }
        long low = Long.parseLong(lo);
        long high = Long.parseLong(hi);
        if (high < low) {
            throw bad(expression, "the range '" + part + "' ends before it starts");
        }
        if (high - low >= MAX_HOSTS) {
            throw bad(expression, "the range '" + part + "' has more than " + MAX_HOSTS + " names");
        }
        List<String> out = new ArrayList<>();
        String format = "%0" + lo.length() + "d";
        for (long n = low; n <= high; n++) {
            out.add(String.format(format, n));
        }
        return out;
    }

    private static void add(String expression, List<String> out, String host) {
        if (out.size() >= MAX_HOSTS) {
            throw bad(expression, "more than " + MAX_HOSTS + " names");
        }
        out.add(host);
    }

    private static boolean digits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static ExperimenterException bad(String expression, String why) {
        return new ExperimenterException("hostlist \"" + expression + "\": " + why);
    }
}
