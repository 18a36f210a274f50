package org.experimenter.store.dialect;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Instants as UTC text {@code yyyy-MM-dd HH:mm:ss.SSS}: how SQLite stores timestamps (it sorts
 * and reads like PyExperimenter's), and how messages name a time on every database.
 */
public final class TimestampText {
    static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private TimestampText() {}

    /**
     * The same text as {@code FORMAT}, written by hand: every finished experiment stores four
     * timestamps, and with DateTimeFormatter they took half of a worker thread's profile samples
     * when experiments were fast.
     */
    public static String format(Instant value) {
        long millis = value.toEpochMilli();
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(millis, 86_400_000L));
        if (date.getYear() < 1 || date.getYear() > 9999) { // "yyyy" is the year of era
            return FORMAT.format(LocalDateTime.ofInstant(value, ZoneOffset.UTC));
        }
        int ms = (int) Math.floorMod(millis, 86_400_000L);
        char[] c = new char[23];
        digits(c, 0, date.getYear(), 4);
        c[4] = '-';
        digits(c, 5, date.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, date.getDayOfMonth(), 2);
        c[10] = ' ';
        digits(c, 11, ms / 3_600_000, 2);
        c[13] = ':';
        digits(c, 14, ms / 60_000 % 60, 2);
        c[16] = ':';
        digits(c, 17, ms / 1000 % 60, 2);
        c[19] = '.';
        digits(c, 20, ms % 1000, 3);
        return new String(c);
    }

    public static Instant parse(String text) {
        return LocalDateTime.parse(text, FORMAT).toInstant(ZoneOffset.UTC);
    }

    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
