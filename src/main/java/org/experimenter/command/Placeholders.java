package org.experimenter.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code {name}} placeholders of a command and its environment: a keyfield's value, or a
 * macro ({@code {args}}, {@code {id}}, ...). Pure: checked at load, expanded per row. A keyfield
 * named like a macro wins. {@code {{} and {@code }}} are literal braces; a brace that opens no
 * {@code {identifier}} is kept as it is, so {@code python3 -c "print({'a': 1})"} needs no escapes.
 */
public final class Placeholders {
    /** Every keyfield as {@code --name=value}: a list element of its own, or text in a shell command. */
    public static final String ARGS = "args";

    /** The macros besides the keyfields, in the order messages list them. */
    public static final List<String> MACROS =
            List.of(ARGS, "id", "attempt", "scratch_dir", "params_file", "result_file", "events_file");

    private Placeholders() {}

    /** One piece of a template: literal text, or the name of a placeholder. */
    private record Piece(String text, boolean placeholder) {}

    /**
     * Why a template is wrong, or null when it is fine: a placeholder that names neither a
     * keyfield nor a macro, or {@code {args}} inside a longer argument where it may not be.
     */
    public static String check(String template, Set<String> keyfields, boolean argsInside) {
        List<Piece> pieces = parse(template);
        for (Piece p : pieces) {
            if (!p.placeholder()) {
                continue;
            }
            if (!keyfields.contains(p.text()) && !MACROS.contains(p.text())) {
                return "unknown placeholder {" + p.text() + "}; the keyfields are " + new TreeSet<>(keyfields)
                        + ", the macros {" + String.join("}, {", MACROS) + "}"
                        + " (write {{ and }} for literal braces)";
            }
            if (p.text().equals(ARGS) && !keyfields.contains(ARGS) && !argsInside && pieces.size() > 1) {
                return "{args} expands to several arguments and must be a list element of its own";
            }
        }
        return null;
    }

    /**
     * The argument list of a row. Without a shell each template is one argument, except a lone
     * {@code {args}}, which becomes one argument per keyfield; with a shell the templates are
     * joined with spaces and every value is quoted for {@code /bin/sh}.
     *
     * @param values the text of every keyfield and macro but {@code args}
     * @param args the {@code --name=value} arguments
     */
    public static List<String> expand(
            List<String> templates, boolean shell, Map<String, String> values, List<String> args) {
        if (shell) {
            List<String> parts = new ArrayList<>();
            for (String t : templates) {
                parts.add(substitute(t, values, args, true));
            }
            return List.of("/bin/sh", "-c", String.join(" ", parts));
        }
        List<String> out = new ArrayList<>();
        for (String t : templates) {
            List<Piece> pieces = parse(t);
            if (pieces.size() == 1
                    && pieces.get(0).placeholder()
                    && pieces.get(0).text().equals(ARGS)
                    && !values.containsKey(ARGS)) {
                out.addAll(args);
            } else {
                out.add(substitute(t, values, args, false));
            }
        }
        return out;
    }

    /** One template with its placeholders replaced (an environment value, or one argument). */
    public static String substitute(String template, Map<String, String> values, List<String> args, boolean quote) {
        StringBuilder b = new StringBuilder();
        for (Piece p : parse(template)) {
            if (!p.placeholder()) {
                b.append(p.text());
            } else if (values.containsKey(p.text())) {
                String v = values.get(p.text());
                b.append(quote ? shellQuote(v) : v);
            } else if (p.text().equals(ARGS)) {
                List<String> a = new ArrayList<>();
                for (String s : args) {
                    a.add(quote ? shellQuote(s) : s);
                }
                b.append(String.join(" ", a));
            } else {
                throw new IllegalStateException("placeholder {" + p.text() + "} has no value; this is a bug");
            }
        }
        return b.toString();
    }

    /** A word for /bin/sh that stands for exactly s. */
    public static String shellQuote(String s) {
        if (!s.isEmpty()
                && s.chars()
                        .allMatch(ch -> Character.isLetterOrDigit(ch) && ch < 128 || "-_./=:,+@%".indexOf(ch) >= 0)) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static List<Piece> parse(String t) {
        List<Piece> pieces = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < t.length()) {
            char ch = t.charAt(i);
            if ((ch == '{' || ch == '}') && i + 1 < t.length() && t.charAt(i + 1) == ch) {
                text.append(ch);
                i += 2;
                continue;
            }
            if (ch == '{') {
                int end = identifierEnd(t, i + 1);
                if (end > i + 1 && end < t.length() && t.charAt(end) == '}') {
                    if (text.length() > 0) {
                        pieces.add(new Piece(text.toString(), false));
                        text.setLength(0);
                    }
                    pieces.add(new Piece(t.substring(i + 1, end), true));
                    i = end + 1;
                    continue;
                }
            }
            text.append(ch);
            i++;
        }
        if (text.length() > 0 || pieces.isEmpty()) {
            pieces.add(new Piece(text.toString(), false));
        }
        return pieces;
    }

    /** Where the identifier starting at from ends: [a-z_][a-z0-9_]*. */
    private static int identifierEnd(String t, int from) {
        int i = from;
        while (i < t.length()) {
            char ch = t.charAt(i);
            boolean ok = ch == '_' || ch >= 'a' && ch <= 'z' || i > from && ch >= '0' && ch <= '9';
            if (!ok) {
                break;
            }
            i++;
        }
        return i;
    }
}
