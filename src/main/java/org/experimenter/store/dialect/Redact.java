package org.experimenter.store.dialect;

import java.util.regex.Pattern;

/** Removes secrets from JDBC URLs and messages before they reach a log or an exception. */
public final class Redact {
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password|passwd|pwd|sslpassword)=([^&;]*)");
    private static final Pattern USER_INFO = Pattern.compile("//([^/@:]*):([^/@]*)@");

    private Redact() {}

    public static String url(String url) {
        if (url == null) {
            return null;
        }
        String s = URL_PASSWORD.matcher(url).replaceAll("$1=***");
        return USER_INFO.matcher(s).replaceAll("//$1:***@");
    }

    /** The text with the URL redacted and every occurrence of the password replaced. */
    public static String text(String text, String url, String password) {
        if (text == null) {
            return null;
        }
        String s = text;
        if (url != null && !url.isEmpty()) {
            s = s.replace(url, url(url));
        }
        if (password != null && !password.isEmpty()) {
            s = s.replace(password, "***");
        }
        return URL_PASSWORD.matcher(s).replaceAll("$1=***");
    }
}
