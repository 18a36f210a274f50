package org.experimenter.pyexperimenter;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.experimenter.InvalidConfigException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML file as SnakeYAML's node tree: nodes keep their line, so every error names file, line
 * and key. Composing builds no Java objects from tags, so a file cannot make this construct
 * anything. Scalars are typed the way PyYAML (which OmegaConf uses) types them: YAML 1.1.
 */
final class Yaml {
    /**
     * The largest file read, in characters: a PyExperimenter config is a few kilobytes, and SnakeYAML
     * would read 3 MB.
     */
    static final int MAX_CHARS = 1 << 20;

    /**
     * Aliases of mappings and lists allowed in a file. Composing keeps an alias as a reference, but
     * a section handed on as it is ({@link #plain}) expands every one: 24 levels of two aliases each
     * were 2^24 copies, 6.5 GB. PyExperimenter's own configs use none.
     */
    static final int MAX_COLLECTION_ALIASES = 20;

    /** Values and characters a section may expand to (aliases of one long text count each time). */
    static final int MAX_PLAIN_VALUES = 100_000;

    private Yaml() {}

    /** A node with the dotted key path it was reached by, and the line of that key. */
    record At(String path, Node node, int line) {
        At(String path, Node node) {
            this(path, node, Yaml.line(node));
        }
    }

    static At read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new InvalidConfigException(path + ": no such file");
        }
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
        options.setCodePointLimit(MAX_CHARS);
        try (Reader r = Files.newBufferedReader(path)) {
            Node root = new org.yaml.snakeyaml.Yaml(options).compose(r);
            if (root == null) {
                throw new InvalidConfigException(path + ": the file is empty");
            }
            return new At("", root);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new InvalidConfigException(path + ": " + line + ": not YAML: " + e.getProblem(), e);
        } catch (YAMLException e) {
            throw new InvalidConfigException(path + ": not YAML: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidConfigException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** An error at a node: {@code file: line: key: message}. */
    static InvalidConfigException error(String file, At at, String message) {
        return new InvalidConfigException(file + ": " + at.line() + ": " + at.path() + ": " + message);
    }

    static int line(Node n) {
        return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }

    /** The entries of a mapping in file order; anything else is an error. */
    static LinkedHashMap<String, At> mapping(String file, At at) {
        if (!(at.node() instanceof MappingNode m)) {
            throw error(file, at, "expected a mapping of keys, found " + kind(at.node()));
        }
        LinkedHashMap<String, At> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw error(file, new At(at.path(), t.getKeyNode()), "a key must be plain text");
            }
            String key = k.getValue();
            out.put(key, new At(at.path().isEmpty() ? key : at.path() + "." + key, t.getValueNode(), line(k)));
        }
        return out;
    }

    /** Refuses keys of a mapping that PyExperimenter does not read, naming the first. */
    static void onlyKeys(String file, At at, Map<String, At> entries, List<String> known, String hint) {
        for (At e : entries.values()) {
            String key = e.path().substring(e.path().lastIndexOf('.') + 1);
            if (!known.contains(key)) {
                throw error(
                        file,
                        e,
                        "unknown key; PyExperimenter 1.4.2 reads only " + String.join(", ", known) + " here"
                                + (hint == null ? "" : "; " + hint));
            }
        }
    }

    static List<At> sequence(String file, At at) {
        if (!(at.node() instanceof SequenceNode s)) {
            throw error(file, at, "expected a list, found " + kind(at.node()));
        }
        List<At> out = new ArrayList<>();
        for (int i = 0; i < s.getValue().size(); i++) {
            out.add(new At(at.path() + "[" + i + "]", s.getValue().get(i)));
        }
        return out;
    }

    /** A scalar as Java: Long (or BigInteger), Double, Boolean, null or String, by its YAML 1.1 tag. */
    static Object scalar(String file, At at) {
        if (!(at.node() instanceof ScalarNode s)) {
            throw error(file, at, "expected a single value, found " + kind(at.node()));
        }
        Tag tag = s.getTag();
        String v = s.getValue();
        try {
            if (Tag.INT.equals(tag)) {
                return new java.math.BigInteger(v.replace("_", "")).longValueExact();
            }
            if (Tag.FLOAT.equals(tag)) {
                String f = v.replace("_", "").toLowerCase(java.util.Locale.ROOT);
                if (f.endsWith(".inf")) {
                    return f.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                }
                return f.equals(".nan") ? Double.NaN : Double.parseDouble(f);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw error(file, at, "the number " + v + " does not fit");
        }
        if (Tag.BOOL.equals(tag)) {
            return switch (v.toLowerCase(java.util.Locale.ROOT)) {
                case "true", "yes", "on", "y" -> Boolean.TRUE;
                default -> Boolean.FALSE;
            };
        }
        if (Tag.NULL.equals(tag)) {
            return null;
        }
        return v;
    }

    static String text(String file, At at) {
        Object v = scalar(file, at);
        if (v == null) {
            throw error(file, at, "expected a value, found nothing");
        }
        return String.valueOf(v);
    }

    /**
     * The node as plain Java values (maps, lists, scalars), for sections handed on as they are; at
     * most {@link #MAX_PLAIN_VALUES} values and {@link #MAX_CHARS} characters of text, counting
     * each alias as the copy it becomes.
     */
    static Object plain(String file, At at) {
        return plain(file, at, at, new long[] {MAX_PLAIN_VALUES, MAX_CHARS});
    }

    private static Object plain(String file, At section, At at, long[] left) {
        if (--left[0] < 0) {
            throw error(file, section, "over " + MAX_PLAIN_VALUES + " values once its aliases are expanded");
        }
        if (at.node() instanceof MappingNode) {
            Map<String, Object> m = new LinkedHashMap<>();
            mapping(file, at).forEach((k, v) -> m.put(k, plain(file, section, v, left)));
            return m;
        }
        if (at.node() instanceof SequenceNode) {
            List<Object> l = new ArrayList<>();
            sequence(file, at).forEach(v -> l.add(plain(file, section, v, left)));
            return l;
        }
        left[1] -= ((ScalarNode) at.node()).getValue().length();
        if (left[1] < 0) {
            throw error(file, section, "over " + MAX_CHARS + " characters once its aliases are expanded");
        }
        return scalar(file, at);
    }

    static String kind(Node n) {
        if (n instanceof MappingNode) {
            return "a mapping";
        }
        if (n instanceof SequenceNode) {
            return "a list";
        }
        return "the value '" + ((ScalarNode) n).getValue() + "'";
    }
}
