package org.experimenter.eval;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

/** The 0.975 quantile of Student's t distribution, as a Spark SQL function of the sample size. */
final class StudentT {
    static final String UDF_NAME = "experimenter_t975";

    private StudentT() {}

    /** t(0.975, n - 1) for a sample of n values; null when n < 2 (no interval from one value). */
    static Double t975(Long n) {
        if (n == null || n < 2) {
            return null;
        }
        // no random generator: only the quantile is needed, to 1e-14 rather than the default 1e-9
        return new TDistribution(null, n - 1, 1e-14).inverseCumulativeProbability(0.975);
    }

    static void register(SparkSession spark) {
        // once per session: registering again warns on every evaluation of a long-lived session (serve)
        if (!spark.catalog().functionExists(UDF_NAME)) {
            spark.udf().register(UDF_NAME, (UDF1<Long, Double>) StudentT::t975, DataTypes.DoubleType);
        }
    }
}
