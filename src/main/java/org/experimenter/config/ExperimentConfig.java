// The settings value: what one experiment table is configured with, immutable and serializable.
// Reading and validating HOCON is ConfigReader's job; this class only keeps the results.
package org.experimenter.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.experimenter.FieldType;
import org.experimenter.InvalidConfigException;
import org.experimenter.artifacts.ArtifactRoot;
import org.experimenter.grid.Grid;
import org.experimenter.grid.Parameter;

/**
 * The settings of one experiment table, read eagerly from HOCON and validated once: every
 * problem surfaces when the config is loaded, with the file, line and key in the message.
 * Defaults come from {@code reference.conf} (path {@code experimenter}) in the jar; a key that
 * nothing reads is refused, naming the known key closest to it.
 *
 * <pre>{@code
 * ExperimentConfig config = ExperimentConfig.load(Path.of("conf/example.conf"));
 * config.keyfieldNames();   // [dataset, k, seed], in file order
 * }</pre>
 */
public final class ExperimentConfig implements Serializable, Cloneable {
    private static final long serialVersionUID = 1L;

    /** Column names the table uses itself; no keyfield or result field may take one. */
    public static final Set<String> BUILT_IN_COLUMNS = Set.of(
            "id",
            "status",
            "creation_date",
            "start_date",
            "end_date",
            "machine",
            "error",
            "attempt",
            "claim_token",
            "heartbeat",
            "run_id",
            "executor",
            "error_kind",
            "spark_app",
            "wall_time",
            "cpu_time",
            "allocated_bytes",
            "experiment_class",
            "lease_ms",
            "stage",
            "parent_id",
            "halving",
            "bracket");

    private final String origin;
    private final String url;
    private final String user;
    private final String password;
    private final Duration connectTimeout;
    private final Duration socketTimeout;
    private final int poolSize;
    private final String table;
    private final List<Parameter> keyfields;
    private final LinkedHashMap<String, FieldType> resultfields;
    private final String customJson;
    private final String experimentClass;
    private final CommandSettings command;
    private final PythonSettings python;
    private final String sparkMaster;
    private final String sparkAppName;
    private final LinkedHashMap<String, String> sparkConf;
    private final long maxExperiments;
    private final int partitions;
    private final String claimOrder;
    private final String seedField;
    private final Duration heartbeatInterval;
    private final int missedBeats;
    private final Duration recoveryInterval;
    private final int maxAttempts;
    private final boolean retryErrors;
    // a copy for one stage (forStage) has that stage's; nothing else changes it
    private ResourceSettings resources;
    private final Map<Integer, ResourceSettings> stageResources;
    private final Duration timeout;
    private final Duration shutdownGrace;
    private final boolean resultTimestamps;
    private final LinkedHashMap<String, LinkedHashMap<String, FieldType>> logtables;
    private final EnergySettings energy;
    private final List<String> provenancePackages;
    private final HalvingSettings halving;
    private final ArtifactRoot artifactRoot;
    // withOverrides starts again from the whole resolved config, defaults included
    private final String resolvedJson;
    private transient Config custom;

    /**
     * Every setting, read in this order so that the first problem in the file is the one
     * reported; the reader throws on anything invalid.
     */
    ExperimentConfig(ConfigReader r) {
        this.origin = r.origin();
        this.resolvedJson = r.resolvedJson();
        this.url = r.databaseUrl();
        this.user = r.plain("database.user");
        this.password = r.plain("database.password");
        this.connectTimeout = r.positive("database.connect-timeout");
        this.socketTimeout = r.positive("database.socket-timeout");
        this.poolSize = r.intAtLeast("database.pool-size", 2);
        this.table = r.table();
        this.keyfields = r.keyfields();
        this.resultfields = r.resultfields();
        this.resultTimestamps = r.resultTimestamps(resultfields.keySet());
        this.logtables = r.logtables(table);
        this.halving = r.halving(keyfields, resultfields);
        this.customJson = r.json("custom");
        this.experimentClass = r.plain("experiment-class").trim();
        this.command = r.command(keyfieldNames(), experimentClass);
        this.python = r.python(experimentClass);
        this.sparkMaster = r.nonEmpty("spark.master");
        this.sparkAppName = r.nonEmpty("spark.app-name");
        this.sparkConf = r.sparkConf();
        this.maxExperiments = r.longAtLeast("execution.max-experiments", 0);
        this.partitions = r.intAtLeast("execution.partitions", 0);
        this.claimOrder = r.claimOrder(keyfields);
        this.seedField = r.plain("execution.seed-field").trim();
        this.heartbeatInterval = r.positive("lease.heartbeat-interval");
        this.missedBeats = r.intAtLeast("lease.missed-beats", 4);
        this.recoveryInterval = r.positive("lease.recovery-interval");
        this.maxAttempts = r.intAtLeast("max-attempts", 1);
        this.retryErrors = r.bool("retry-errors");
        this.resources = r.resources(maxAttempts);
        this.stageResources = Collections.unmodifiableMap(new LinkedHashMap<>(r.stageResources(maxAttempts)));
        this.timeout = r.notNegative("timeout");
        this.shutdownGrace = r.duration("shutdown-grace");
        this.energy = r.energy();
        this.provenancePackages = r.provenancePackages();
        this.artifactRoot = r.artifactRoot();
    }

    /** Loads and validates a config file; throws {@link InvalidConfigException} naming the problem. */
    public static ExperimentConfig load(Path file) {
        return ConfigReader.load(file);
    }

    /** Loads and validates a config from HOCON text (for tests and notebooks). */
    public static ExperimentConfig parse(String hocon, String originName) {
        return ConfigReader.parse(hocon, originName);
    }

    /** Validates an already parsed (unresolved) config against the reference defaults. */
    public static ExperimentConfig from(Config userConfig, String originName) {
        return ConfigReader.from(userConfig, originName);
    }

    /**
     * Returns a copy with some settings replaced, e.g. {@code Map.of("database.table", "t2")}
     * (tests, and tools that reuse one setup for several tables).
     */
    public ExperimentConfig withOverrides(Map<String, ?> overrides) {
        return ConfigReader.withOverrides(this, overrides);
    }

    String resolvedJson() {
        return resolvedJson;
    }

    /**
     * The effective config as compact JSON with database.user and database.password left out,
     * for a hash that tells configs apart without holding a secret.
     */
    public String effectiveJsonWithoutSecrets() {
        Config c = ConfigFactory.parseString(resolvedJson)
                .withoutPath("database.user")
                .withoutPath("database.password");
        return c.root().render(com.typesafe.config.ConfigRenderOptions.concise().setJson(true));
    }

    /** How attempts record their energy and emissions. */
    public EnergySettings energy() {
        return energy;
    }

    /** Top-level Python packages whose versions each attempt of a Python function records. */
    public List<String> provenancePackages() {
        return provenancePackages;
    }

    /** Where this config came from (a file name), for messages. */
    public String origin() {
        return origin;
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    /** The database password; never log it. */
    public String password() {
        return password;
    }

    public String table() {
        return table;
    }

    public List<Parameter> keyfields() {
        return keyfields;
    }

    public Parameter keyfield(String name) {
        for (Parameter p : keyfields) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    public List<String> keyfieldNames() {
        List<String> names = new ArrayList<>();
        for (Parameter p : keyfields) {
            names.add(p.name());
        }
        return names;
    }

    public Map<String, FieldType> resultfields() {
        return Collections.unmodifiableMap(resultfields);
    }

    public Grid grid() {
        return new Grid(keyfields);
    }

    /** Whether each result field has a {@code <field>_timestamp} column set when it is written. */
    public boolean resultTimestamps() {
        return resultTimestamps;
    }

    /** Declared log tables: name to columns (name to type), in file order. */
    public Map<String, Map<String, FieldType>> logtables() {
        return Collections.unmodifiableMap(logtables);
    }

    /** The halving section (successive halving over a budget keyfield), or null when there is none. */
    public HalvingSettings halving() {
        return halving;
    }

    /** The {@code custom} section, as given. */
    public Config custom() {
        if (custom == null) {
            custom = ConfigFactory.parseString(customJson);
        }
        return custom;
    }

    /** The experiment class name, or an empty string when none is configured. */
    public String experimentClass() {
        return experimentClass;
    }

    /** The command run for each row instead of an experiment class, or null when none is configured. */
    public CommandSettings command() {
        return command;
    }

    /** The Python function called for each row by long-lived workers, or null when none is configured. */
    public PythonSettings python() {
        return python;
    }

    public String sparkMaster() {
        return sparkMaster;
    }

    public String sparkAppName() {
        return sparkAppName;
    }

    public Map<String, String> sparkConf() {
        return Collections.unmodifiableMap(sparkConf);
    }

    public long maxExperiments() {
        return maxExperiments;
    }

    public int partitions() {
        return partitions;
    }

    /** {@code execution.order}: {@code id} or {@code seed-major}. */
    public String claimOrder() {
        return claimOrder;
    }

    /** {@code execution.seed-field}: the keyfield of seed-major order (checked when that is the order). */
    public String seedField() {
        return seedField;
    }

    /** The keyfield rows are claimed in order of when the order is seed-major, else null. */
    public String seedMajorField() {
        return claimOrder.equals("seed-major") ? seedField : null;
    }

    /**
     * Why a keyfield cannot order claims seed-major (it is none, or no int keyfield), or null
     * when it can: its values times 2^32 plus the id order the rows in one whole number.
     */
    public String seedFieldProblem(String name) {
        return seedFieldProblem(name, keyfields);
    }

    static String seedFieldProblem(String name, List<Parameter> keyfields) {
        List<String> names = new ArrayList<>();
        for (Parameter p : keyfields) {
            names.add(p.name());
            if (p.name().equals(name)) {
                return p.type() == FieldType.INT
                        ? null
                        : name + " is a " + p.type().configName() + " keyfield; seed-major order needs an int keyfield";
            }
        }
        return name + " is not a keyfield; the keyfields are " + names;
    }

    /** How long opening a database connection may take. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long the answer to a statement is awaited (PostgreSQL); holders of rows wait at most half a lease. */
    public Duration socketTimeout() {
        return socketTimeout;
    }

    /** Connections one JVM keeps to the database at most, shared by its tasks. */
    public int poolSize() {
        return poolSize;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    public int missedBeats() {
        return missedBeats;
    }

    /** How long a running row may go without a heartbeat before it counts as lost. */
    public Duration leaseTimeout() {
        return heartbeatInterval.multipliedBy(missedBeats);
    }

    public Duration recoveryInterval() {
        return recoveryInterval;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public boolean retryErrors() {
        return retryErrors;
    }

    /**
     * GPUs, cores and memory per row, and the memory an out-of-memory failure escalates to: the
     * top-level resources section, or in a copy made by {@link #forStage} that stage's.
     */
    public ResourceSettings resources() {
        return resources;
    }

    /** Per stage number, the resources its {@code stages} section gives it; empty when there is none. */
    public Map<Integer, ResourceSettings> stageResources() {
        return stageResources;
    }

    /**
     * The config a run of one stage ({@code run --stage n}) runs with: the same, with the stage's
     * resources when {@code stages { n { resources { ... } } }} names them; this config itself for
     * null (every stage) or a stage without a section.
     */
    public ExperimentConfig forStage(Integer stage) {
        ResourceSettings own = stage == null ? null : stageResources.get(stage);
        if (own == null) {
            return this;
        }
        try {
            ExperimentConfig copy = (ExperimentConfig) clone();
            copy.resources = own;
            return copy;
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What the executors of a run's Spark session must have room for: for a run of one stage,
     * that stage's resources; for a run of every stage ({@code stage} null), the top-level ones
     * with the most GPUs any stage's rows ask for, as each stage's rows run with their own.
     */
    public Resources sessionResources(Integer stage) {
        Resources base = forStage(stage).resources().base();
        if (stage != null) {
            return base;
        }
        int gpus = base.gpus();
        for (ResourceSettings s : stageResources.values()) {
            gpus = Math.max(gpus, s.base().gpus());
        }
        return new Resources(gpus, base.cpus(), base.memory());
    }

    /** The per-experiment time limit; zero means none. */
    public Duration timeout() {
        return timeout;
    }

    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** Where the artifact folders of rows go ({@code artifacts.root}); null when none is set. */
    public ArtifactRoot artifactRoot() {
        return artifactRoot;
    }
}
