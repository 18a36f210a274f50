package org.experimenter.store;

import java.util.List;

/**
 * Scala sequences as Java lists, the same on Scala 2.12 and 2.13 (the Spark 3.5 build uses
 * 2.12): {@code JavaConverters} is in both, where 2.13's {@code CollectionConverters} is not.
 */
final class ScalaSeqs {
    private ScalaSeqs() {}

    @SuppressWarnings("deprecation") // deprecated in 2.13 only, for a class 2.12 lacks
    static <T> List<T> asJava(scala.collection.Seq<T> seq) {
        return scala.collection.JavaConverters.seqAsJavaList(seq);
    }
}
