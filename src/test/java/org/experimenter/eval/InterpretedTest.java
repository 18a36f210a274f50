package org.experimenter.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.Test;

/** Interpreted queries of two threads of one session that overlap leave its settings as they were. */
class InterpretedTest {
    @Test
    void overlappingQueriesOfTwoThreadsRestoreTheSessionsSettings() throws Exception {
        SparkSession spark = TestSpark.session().newSession();
        CountDownLatch bEntered = new CountDownLatch(1);
        CountDownLatch aLeft = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = threads.submit(() -> Interpreted.run(spark, () -> {
                await(bEntered);
                return null;
            }));
            Future<?> b = threads.submit(() -> {
                // enters once a is inside, leaves after a has left
                while (!"false".equals(spark.conf().get(Interpreted.WHOLE_STAGE, null))) {
                    Thread.onSpinWait();
                }
                return Interpreted.run(spark, () -> {
                    bEntered.countDown();
                    await(aLeft);
                    return null;
                });
            });
            a.get(60, TimeUnit.SECONDS);
            aLeft.countDown();
            b.get(60, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }
        // before, b restored what it found, a's "false": code generation stayed off for the session
        assertNull(spark.conf().get(Interpreted.WHOLE_STAGE, null));
        assertNull(spark.conf().get(Interpreted.FACTORY_MODE, null));
        assertEquals("true", spark.conf().get(Interpreted.WHOLE_STAGE));
    }

    private static void await(CountDownLatch l) {
        try {
            if (!l.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other thread did not come");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
