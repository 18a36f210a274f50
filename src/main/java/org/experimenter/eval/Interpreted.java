package org.experimenter.eval;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a query of a small table with Spark's interpreted expressions instead of generated code
 * (whole-stage code generation off, expressions evaluated without compiling): for a few
 * thousand rows, generating and compiling the code costs more than the rows. The session's
 * settings are restored when the last query of the session running this way has ended (queries
 * of several threads overlap; each restoring what it found left the settings changed for good
 * when two did); a query planned meanwhile in another thread of the same session only runs
 * interpreted too, with the same results.
 */
final class Interpreted {
    static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";
    static final String FACTORY_MODE = "spark.sql.codegen.factoryMode";

    /** Per session running queries this way: how many, and the settings found before the first. */
    private static final Map<SparkSession, Saved> RUNNING = new IdentityHashMap<>();

    private static final class Saved {
        int queries;
        String wholeStage;
        String factoryMode;
    }

    private Interpreted() {}

    static <T> T run(SparkSession spark, Supplier<T> query) {
        synchronized (RUNNING) {
            Saved saved = RUNNING.get(spark);
            if (saved == null) {
                var conf = spark.conf();
                saved = new Saved();
                saved.wholeStage = conf.get(WHOLE_STAGE, null);
                saved.factoryMode = conf.get(FACTORY_MODE, null);
                conf.set(WHOLE_STAGE, "false");
                conf.set(FACTORY_MODE, "NO_CODEGEN");
                RUNNING.put(spark, saved);
            }
            saved.queries++;
        }
        try {
            return query.get();
        } finally {
            synchronized (RUNNING) {
                Saved saved = RUNNING.get(spark);
                if (--saved.queries == 0) {
                    RUNNING.remove(spark);
                    restore(spark, WHOLE_STAGE, saved.wholeStage);
                    restore(spark, FACTORY_MODE, saved.factoryMode);
                }
            }
        }
    }

    private static void restore(SparkSession spark, String key, String value) {
        if (value == null) {
            spark.conf().unset(key);
        } else {
            spark.conf().set(key, value);
        }
    }
}
