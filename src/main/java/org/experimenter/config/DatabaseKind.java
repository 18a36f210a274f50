package org.experimenter.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The databases a config may name, and what each allows of names: the prefix of its JDBC URLs,
 * the longest name it keeps, and the words it reserves beyond those every database reserves.
 * The config is checked against these when read; the store's dialects ({@code store/dialect})
 * hold the SQL that differs and name their kind.
 */
public enum DatabaseKind {
    POSTGRESQL("postgresql", "jdbc:postgresql:", 63, Set.of()),
    SQLITE("sqlite", "jdbc:sqlite:", Integer.MAX_VALUE, Set.of()),
    MARIADB("mariadb", "jdbc:mariadb:", 64, Words.MYSQL),
    MYSQL("mysql", "jdbc:mysql:", 64, Words.MYSQL);

    private final String displayName;
    private final String urlPrefix;
    private final int maxIdentifierLength;
    private final Set<String> reserved;

    DatabaseKind(String displayName, String urlPrefix, int maxIdentifierLength, Set<String> reserved) {
        this.displayName = displayName;
        this.urlPrefix = urlPrefix;
        this.maxIdentifierLength = maxIdentifierLength;
        this.reserved = reserved;
    }

    /** The kind whose URLs start like this one, or null. */
    public static DatabaseKind forUrl(String url) {
        for (DatabaseKind k : values()) {
            if (url != null && url.startsWith(k.urlPrefix)) {
                return k;
            }
        }
        return null;
    }

    /**
     * Whether a URL names a user (and maybe a password) before its host, whatever its scheme
     * ({@code jdbc:mariadb:sequential://} too). The drivers read no credentials there, and
     * MariaDB's takes {@code user:password} for a host and port, so its message quotes the
     * password ("Incorrect port value : password@host").
     */
    public static boolean hasUserInfo(String url) {
        return url != null && url.matches("(?s)[a-zA-Z][a-zA-Z0-9+.:-]*://[^/?#]*@.*");
    }

    /** Every URL prefix, in order: "jdbc:postgresql:", ... */
    public static List<String> urlPrefixes() {
        return java.util.Arrays.stream(values()).map(k -> k.urlPrefix).toList();
    }

    /** The name messages use, e.g. {@code postgresql}. */
    public String displayName() {
        return displayName;
    }

    /** The start of every JDBC URL of this database. */
    public String urlPrefix() {
        return urlPrefix;
    }

    /**
     * The longest name of a table, index or constraint the database keeps as it is (PostgreSQL
     * cuts longer ones to 63 bytes, and two indexes may then share a name).
     */
    public int maxIdentifierLength() {
        return maxIdentifierLength;
    }

    /**
     * Whether the database reserves this word beyond those every database reserves (which the
     * config reader refuses anyway): names are written unquoted, so such a field is refused.
     */
    public boolean isReserved(String word) {
        return reserved.contains(word.toLowerCase(Locale.ROOT));
    }

    /** Word lists in resource files next to this class: one a line, {@code #} starts a comment. */
    private static final class Words {
        /** Words MySQL or MariaDB reserve that PostgreSQL, SQLite and Spark do not. */
        static final Set<String> MYSQL = read("mariadb-reserved.txt");

        private static Set<String> read(String resource) {
            try (InputStream in = DatabaseKind.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + resource + " is missing from the jar; this is a bug");
                }
                Set<String> words = new HashSet<>();
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    String w = line.strip();
                    if (!w.isEmpty() && !w.startsWith("#")) {
                        words.add(w);
                    }
                }
                return Set.copyOf(words);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
