package org.experimenter.store.dialect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimestampTextTest {
    private static final DateTimeFormatter REFERENCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private static String reference(Instant i) {
        return REFERENCE.format(LocalDateTime.ofInstant(i, ZoneOffset.UTC));
    }

    @Test
    void timestampTextMatchesTheFormatterAndReadsBack() {
        SplittableRandom random = new SplittableRandom(7);
        long min = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int k = 0; k < 200_000; k++) {
            Instant i = Instant.ofEpochSecond(random.nextLong(min, max), random.nextInt(1_000_000_000));
            String text = TimestampText.format(i);
            assertEquals(reference(i), text, () -> "epoch second " + i.getEpochSecond() + " nanos " + i.getNano());
            assertEquals(
                    i.toEpochMilli(),
                    LocalDateTime.parse(text, REFERENCE)
                            .toInstant(ZoneOffset.UTC)
                            .toEpochMilli());
        }
    }

    @Test
    void edgesOfDaysYearsAndTheEpoch() {
        for (String s : new String[] {
            "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z", "1969-12-31T23:59:59.000500Z",
            "2024-02-29T12:34:56.789Z", "2000-02-29T23:59:59.999Z", "1900-03-01T00:00:00.001Z",
            "9999-12-31T23:59:59.999Z", "0000-01-01T00:00:00Z", "2026-11-28T09:13:41.100Z"
        }) {
            Instant i = Instant.parse(s);
            assertEquals(reference(i), TimestampText.format(i), s);
        }
    }
}
