package org.experimenter.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.experimenter.ExperimenterException;

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
     * {@code {args}}, which becomes one argument per keyfield. With a shell the templates are
     * joined with spaces into one {@code /bin/sh -c} script (see {@link #shellScript}), which holds
     * no value: the values travel in the environment ({@link #variables}).
     *
     * @param values the text of every keyfield and macro but {@code args}
     * @param args the {@code --name=value} arguments
     * @param keyfields the keyfields' names, in the order of {@code args}
     */
    public static List<String> expand(
            List<String> templates,
            boolean shell,
            Map<String, String> values,
            List<String> args,
            List<String> keyfields) {
        if (shell) {
            Script script = shellScript(templates, keyfields);
            if (script.problem() != null) {
                throw new IllegalStateException(script.problem() + "; it passed the load check, this is a bug");
            }
            for (String name : script.inArithmetic()) {
                String value = values.get(name);
                // the shell evaluates a variable's value there, and bash runs an array index's $(...)
                if (value == null || !value.matches("-?[0-9]+(\\.[0-9]+)?")) {
                    throw new ExperimenterException("the command's {" + name + "} stands inside (( )) or $(( )),"
                            + " where the shell reads its value as arithmetic (bash runs the $(...) of an array"
                            + " index: a[$(command)]), and it is no number: "
                            + (value == null ? "a list of arguments" : "'" + value + "'") + "; nothing was run");
                }
            }
            return List.of("/bin/sh", "-c", script.text());
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
                out.add(substitute(t, values, args));
            }
        }
        return out;
    }

    /** The environment variable that carries a placeholder's value into a shell script. */
    public static String variable(String name) {
        return "EXPERIMENTER_P_" + name;
    }

    /** The variables of a shell script: one per keyfield and macro, holding its value byte for byte. */
    public static Map<String, String> variables(Map<String, String> values) {
        Map<String, String> env = new LinkedHashMap<>();
        values.forEach((k, v) -> env.put(variable(k), v));
        return env;
    }

    /**
     * A shell script built from templates, or why it cannot be: exactly one of the two is null;
     * {@code inArithmetic} the placeholders that stand inside {@code (( ))} or {@code $(( ))}.
     */
    public record Script(String text, String problem, Set<String> inArithmetic) {
        Script(String text, String problem) {
            this(text, problem, Set.of());
        }
    }

    /** Where a placeholder stands in a shell script. */
    private enum Quoting {
        NONE,
        SINGLE,
        DOUBLE,
        COMMENT
    }

    /**
     * The templates joined with spaces, each placeholder replaced by a reference to its variable:
     * {@code "${EXPERIMENTER_P_seed}"} outside quotes (one word, as it was), {@code
     * ${EXPERIMENTER_P_seed}} inside double quotes. The shell never parses what a variable holds,
     * so no value can run as code, however it is placed, and each arrives byte for byte. Inside
     * single quotes the shell expands nothing: refused, naming the element. {@code {args}} becomes
     * {@code --name="${EXPERIMENTER_P_name}"} per keyfield.
     */
    public static Script shellScript(List<String> templates, List<String> keyfields) {
        StringBuilder b = new StringBuilder();
        Quoting q = Quoting.NONE;
        boolean escaped = false;
        Arithmetic arithmetic = new Arithmetic();
        Set<String> inArithmetic = new TreeSet<>();
        for (int e = 0; e < templates.size(); e++) {
            if (e > 0) {
                b.append(' ');
                if (q == Quoting.NONE) {
                    escaped = false;
                }
            }
            for (Piece p : parse(templates.get(e))) {
                if (!p.placeholder()) {
                    for (char ch : p.text().toCharArray()) {
                        if (escaped) {
                            escaped = false;
                        } else {
                            q = next(q, ch, b.length() == 0 ? ' ' : b.charAt(b.length() - 1));
                            escaped = ch == '\\' && (q == Quoting.NONE || q == Quoting.DOUBLE);
                            if (q == Quoting.NONE || q == Quoting.DOUBLE) {
                                arithmetic.read(ch);
                            }
                        }
                        b.append(ch);
                    }
                    continue;
                }
                escaped = false;
                if (q == Quoting.SINGLE) {
                    return new Script(
                            null,
                            "element " + (e + 1) + " \"" + templates.get(e) + "\": {" + p.text()
                                    + "} is inside single quotes, where the shell expands nothing; put it outside"
                                    + " them or inside double quotes (its value is in $" + variable(p.text()) + ")");
                }
                arithmetic.pending = false;
                if (arithmetic.depth > 0) {
                    inArithmetic.add(p.text());
                }
                // a number needs no quotes there, and dash refuses quotes inside $(( ))
                boolean quote = q == Quoting.NONE && arithmetic.depth == 0;
                if (p.text().equals(ARGS) && !keyfields.contains(ARGS)) {
                    List<String> words = new ArrayList<>();
                    for (String k : keyfields) {
                        words.add("--" + k + "=" + reference(k, quote));
                    }
                    b.append(String.join(" ", words));
                } else {
                    b.append(reference(p.text(), quote));
                }
            }
        }
        return new Script(b.toString(), null, Set.copyOf(inArithmetic));
    }

    /** How many {@code ((} of an arithmetic command or expansion are open, read character by character. */
    private static final class Arithmetic {
        int depth;
        /** The last character read was a '(' or ')' not yet paired with the one before it. */
        boolean pending;

        private char last;

        void read(char ch) {
            if ((ch == '(' || ch == ')') && pending && last == ch) {
                depth = ch == '(' ? depth + 1 : Math.max(0, depth - 1);
                pending = false;
            } else {
                pending = ch == '(' || ch == ')';
            }
            last = ch;
        }
    }

    private static String reference(String name, boolean quote) {
        String ref = "${" + variable(name) + "}";
        return quote ? "\"" + ref + "\"" : ref;
    }

    /** The quoting after ch, read in quoting q after the character before. */
    private static Quoting next(Quoting q, char ch, char before) {
        switch (q) {
            case SINGLE:
                return ch == '\'' ? Quoting.NONE : q;
            case DOUBLE:
                return ch == '"' ? Quoting.NONE : q;
            case COMMENT:
                return ch == '\n' ? Quoting.NONE : q;
            default:
                if (ch == '\'') {
                    return Quoting.SINGLE;
                }
                if (ch == '"') {
                    return Quoting.DOUBLE;
                }
                if (ch == '#' && (Character.isWhitespace(before) || ";&|()<>".indexOf(before) >= 0)) {
                    return Quoting.COMMENT;
                }
                return q;
        }
    }

    /** One template with its placeholders replaced (an environment value, or one argument). */
    public static String substitute(String template, Map<String, String> values, List<String> args) {
        StringBuilder b = new StringBuilder();
        for (Piece p : parse(template)) {
            if (!p.placeholder()) {
                b.append(p.text());
            } else if (values.containsKey(p.text())) {
                String v = values.get(p.text());
                b.append(v);
            } else if (p.text().equals(ARGS)) {
                b.append(String.join(" ", args));
            } else {
                throw new IllegalStateException("placeholder {" + p.text() + "} has no value; this is a bug");
            }
        }
        return b.toString();
    }

    /** A word for /bin/sh that stands for exactly s (to show a command in a message). */
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
