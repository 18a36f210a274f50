package org.experimenter.eval;

import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a query of a small table with Spark's interpreted expressions instead of generated code
 * (whole-stage code generation off, expressions evaluated without compiling): for a few
 * thousand rows, generating and compiling the code costs more than the rows. The session's
 * settings are restored afterwards; a query planned meanwhile in another thread of the same
 * session (the web view) only runs interpreted too, with the same results.
 */
final class Interpreted {
    static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";
    static final String FACTORY_MODE = "spark.sql.codegen.factoryMode";

    private Interpreted() {}

    static <T> T run(SparkSession spark, Supplier<T> query) {
        var conf = spark.conf();
        String wholeStage = conf.get(WHOLE_STAGE, null);
        String factoryMode = conf.get(FACTORY_MODE, null);
        conf.set(WHOLE_STAGE, "false");
        conf.set(FACTORY_MODE, "NO_CODEGEN");
        try {
            return query.get();
        } finally {
            restore(spark, WHOLE_STAGE, wholeStage);
            restore(spark, FACTORY_MODE, factoryMode);
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
