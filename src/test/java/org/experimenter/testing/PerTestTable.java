package org.experimenter.testing;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The base of a contract test: each test gets a fresh experiment table on the database of the
 * subclass, of the config the contract gives, and the table is dropped after the test.
 */
public abstract class PerTestTable {
    @TempDir
    protected Path dir;

    /** The table of this test, a new name per test. */
    protected String table;

    /** The experimenter the test starts with; a test may replace it with one of the same table. */
    protected Experimenter ex;

    protected final SparkSession spark = TestSpark.session();

    private final String prefix;
    private final String conf;

    /** Tables named prefix_..., of the HOCON conf. */
    protected PerTestTable(String prefix, String conf) {
        this.prefix = prefix;
        this.conf = conf;
    }

    protected abstract TestDb db();

    /** The config the test starts with beyond the contract's: none unless a contract says. */
    protected String startingExtra() {
        return "";
    }

    /** An experimenter of the test's table: the contract's config followed by extra. */
    protected Experimenter experimenter(String extra) {
        return Experimenter.of(db().config(dir, table, conf + extra));
    }

    @BeforeEach
    void newTable() {
        table = TestDb.uniqueTable(prefix);
        ex = experimenter(startingExtra());
    }

    @AfterEach
    void dropTable() {
        ex.drop();
    }
}
