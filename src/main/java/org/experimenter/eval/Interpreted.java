package org.experimenter.eval;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a query of a small table with Spark's interpreted expressions instead of generated code
 * (whole-stage code generation off, expressions evaluated without compiling; Spark still compiles
 * the row ordering of a sort): for a few thousand rows, generating and compiling the code costs
 * more than the rows. The settings are the session's: the first query of a session to enter sets
 * them, the last to leave restores what was there before, so that queries that overlap in several
 * threads of one session (a program that shares one) never leave them changed. A query planned
 * meanwhile in another thread of that session runs interpreted too, with the same results.
 */
final class Interpreted {
    static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";
    static final String FACTORY_MODE = "spark.sql.codegen.factoryMode";

    /** The settings found when the first query entered, and how many queries are inside, per session. */
    private record Entered(String wholeStage, String factoryMode, int queries) {}

    private static final Map<SparkSession, Entered> ENTERED = new IdentityHashMap<>();

    private Interpreted() {}

    static <T> T run(SparkSession spark, Supplier<T> query) {
        enter(spark);
        try {
            return query.get();
        } finally {
            leave(spark);
        }
    }

    private static synchronized void enter(SparkSession spark) {
        Entered e = ENTERED.get(spark);
        if (e != null) {
            ENTERED.put(spark, new Entered(e.wholeStage(), e.factoryMode(), e.queries() + 1));
            return;
        }
        ENTERED.put(
                spark,
                new Entered(spark.conf().get(WHOLE_STAGE, null), spark.conf().get(FACTORY_MODE, null), 1));
        spark.conf().set(WHOLE_STAGE, "false");
        spark.conf().set(FACTORY_MODE, "NO_CODEGEN");
    }

    private static synchronized void leave(SparkSession spark) {
        Entered e = ENTERED.get(spark);
        if (e.queries() > 1) {
            ENTERED.put(spark, new Entered(e.wholeStage(), e.factoryMode(), e.queries() - 1));
            return;
        }
        ENTERED.remove(spark);
        restore(spark, WHOLE_STAGE, e.wholeStage());
        restore(spark, FACTORY_MODE, e.factoryMode());
    }

    private static void restore(SparkSession spark, String key, String value) {
        if (value == null) {
            spark.conf().unset(key);
        } else {
            spark.conf().set(key, value);
        }
    }
}
