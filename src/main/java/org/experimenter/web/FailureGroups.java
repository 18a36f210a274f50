package org.experimenter.web;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.experimenter.store.PageReads.ErrorLine;

/**
 * The error rows grouped by error kind ({@code exception}, {@code timeout}, {@code lost}, ...) and
 * the exception class their error text starts with: {@code java.lang.IllegalStateException: ...}
 * gives {@code java.lang.IllegalStateException}; a Python traceback in a command's stderr gives
 * the class of its last line ({@code ValueError}); any other text its first line up to a colon.
 */
final class FailureGroups {
    private static final Pattern JAVA_CLASS = Pattern.compile(
            "^(?:Exception in thread \"[^\"]*\" )?([A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)+)(?::|\\s*$)");
    private static final Pattern PYTHON_LAST =
            Pattern.compile("(?m)^([A-Za-z_][\\w.]*(?:Error|Exception|Interrupt|Exit|Warning))(?::|\\s*$)");
    private static final int LABEL_CHARS = 80;

    /** One group: its key (for asking for its rows), kind, class, how many rows, their ids. */
    record Group(String key, String kind, String exception, long count, String sample, List<Long> ids) {}

    private FailureGroups() {}

    static List<Group> of(List<ErrorLine> lines) {
        Map<String, List<ErrorLine>> byKey = new LinkedHashMap<>();
        Map<String, String[]> parts = new LinkedHashMap<>();
        for (ErrorLine l : lines) {
            String kind = l.kind() == null ? "" : l.kind();
            String cls = exceptionClass(l.errorStart(), l.errorEnd());
            String key = kind + "|" + cls;
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(l);
            parts.putIfAbsent(key, new String[] {kind, cls});
        }
        List<Group> out = new ArrayList<>();
        for (Map.Entry<String, List<ErrorLine>> e : byKey.entrySet()) {
            List<Long> ids = new ArrayList<>();
            e.getValue().forEach(l -> ids.add(l.id()));
            String[] p = parts.get(e.getKey());
            out.add(new Group(
                    e.getKey(),
                    p[0],
                    p[1],
                    ids.size(),
                    firstLine(e.getValue().get(0).errorStart()),
                    ids));
        }
        out.sort(Comparator.comparingLong(Group::count).reversed().thenComparing(Group::key));
        return out;
    }

    /** The class an error text (its start and its end) names, as described at the top; "" for no text. */
    static String exceptionClass(String error, String end) {
        if (error == null || error.isBlank()) {
            return "";
        }
        String first = firstLine(error);
        Matcher m = JAVA_CLASS.matcher(first);
        if (m.find()) {
            return m.group(1);
        }
        if (error.contains("Traceback (most recent call last)") || (end != null && end.contains("Traceback"))) {
            Matcher py = PYTHON_LAST.matcher(end == null ? error : end);
            String last = null;
            while (py.find()) {
                last = py.group(1);
            }
            if (last != null) {
                return last;
            }
        }
        int colon = first.indexOf(':');
        String label = colon > 0 ? first.substring(0, colon) : first;
        return label.length() > LABEL_CHARS ? label.substring(0, LABEL_CHARS) + "…" : label;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        String t = text.strip();
        int nl = t.indexOf('\n');
        return (nl < 0 ? t : t.substring(0, nl)).strip();
    }
}
