package org.experimenter.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The session's code generation settings while small queries run, in one thread and in several that overlap. */
class InterpretedTest {
    final SparkSession spark = TestSpark.session();
    private String wholeStage;
    private String factoryMode;

    /** The test JVM's session runs interpreted (pom.xml's test.spark.sql); these tests set what they need, then put it back. */
    @BeforeEach
    void saveSettings() {
        wholeStage = spark.conf().get(Interpreted.WHOLE_STAGE, null);
        factoryMode = spark.conf().get(Interpreted.FACTORY_MODE, null);
    }

    @AfterEach
    void restoreSettings() {
        for (String[] s :
                new String[][] {{Interpreted.WHOLE_STAGE, wholeStage}, {Interpreted.FACTORY_MODE, factoryMode}}) {
            if (s[1] == null) {
                spark.conf().unset(s[0]);
            } else {
                spark.conf().set(s[0], s[1]);
            }
        }
    }

    @Test
    void queriesThatOverlapInTwoThreadsLeaveTheSessionsSettingsAsTheyWere() throws Exception {
        spark.conf().set(Interpreted.WHOLE_STAGE, "true");
        spark.conf().unset(Interpreted.FACTORY_MODE);
        CountDownLatch secondInside = new CountDownLatch(1);
        CountDownLatch firstLeft = new CountDownLatch(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> Interpreted.run(spark, () -> {
            await(secondInside);
            return spark.conf().get(Interpreted.WHOLE_STAGE);
        }));
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> Interpreted.run(spark, () -> {
            secondInside.countDown();
            await(firstLeft);
            // the first has left: the second still runs interpreted
            return spark.conf().get(Interpreted.WHOLE_STAGE) + " "
                    + spark.conf().get(Interpreted.FACTORY_MODE);
        }));
        assertEquals("false", first.get(1, TimeUnit.MINUTES));
        firstLeft.countDown();
        assertEquals("false NO_CODEGEN", second.get(1, TimeUnit.MINUTES));
        assertEquals("true", spark.conf().get(Interpreted.WHOLE_STAGE));
        assertNull(spark.conf().get(Interpreted.FACTORY_MODE, null));
    }

    @Test
    void aQueryThatFailsRestoresThemToo() {
        spark.conf().unset(Interpreted.WHOLE_STAGE);
        spark.conf().unset(Interpreted.FACTORY_MODE);
        assertThrows(
                IllegalStateException.class,
                () -> Interpreted.run(spark, () -> {
                    throw new IllegalStateException("the query failed");
                }));
        assertNull(spark.conf().get(Interpreted.WHOLE_STAGE, null));
        assertNull(spark.conf().get(Interpreted.FACTORY_MODE, null));
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException("timed out");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
