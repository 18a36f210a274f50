package org.experimenter.slurm;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.experimenter.ExperimenterException;

/**
 * What {@code experimenter slurm run} asks Slurm for: the tool's checkout and the config (absolute
 * paths, written into the script quoted), the job's name, nodes, CPUs and GPUs per node, time
 * limit, partition, the seconds before the time limit at which the batch shell gets SIGTERM, and
 * sbatch options of the user's own. Checked here, so that a value that sbatch would read
 * differently from what was meant is refused before any script is written.
 *
 * @param cpusPerNode null: Slurm's default
 * @param gpusPerNode null: none asked for
 * @param time null: the partition's default
 * @param partition null: the default partition
 */
public record SlurmJob(
        Path home,
        Path config,
        String name,
        int nodes,
        Integer cpusPerNode,
        Integer gpusPerNode,
        String time,
        String partition,
        int graceSeconds,
        List<String> sbatchOptions) {

    /** Slurm's time formats: minutes, m:s, h:m:s, d-h, d-h:m, d-h:m:s; or no limit. */
    private static final Pattern TIME =
            Pattern.compile("\\d{1,7}(:\\d{1,2}){0,2}|\\d{1,5}-\\d{1,2}(:\\d{1,2}){0,2}|UNLIMITED|INFINITE");

    private static final Pattern PARTITION = Pattern.compile("[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,200}");

    public SlurmJob {
        sbatchOptions = List.copyOf(sbatchOptions);
        if (!home.isAbsolute() || !config.isAbsolute()) {
            throw new IllegalArgumentException("home and config must be absolute paths; this is a bug");
        }
        if (home.toString().chars().anyMatch(Character::isWhitespace)) {
            throw new ExperimenterException("slurm run: the tool's folder " + home
                    + " has a space in its path; Spark's class path settings in the job cannot hold one");
        }
        if (!NAME.matcher(name).matches()) {
            throw new ExperimenterException(
                    "slurm run: --job-name \"" + name + "\": letters, digits, '_', '.' and '-' only");
        }
        if (nodes < 1) {
            throw new ExperimenterException("slurm run: --nodes " + nodes + ": at least 1");
        }
        if (cpusPerNode != null && cpusPerNode < 1) {
            throw new ExperimenterException("slurm run: --cpus-per-node " + cpusPerNode + ": at least 1");
        }
        if (gpusPerNode != null && gpusPerNode < 1) {
            throw new ExperimenterException("slurm run: --gpus-per-node " + gpusPerNode + ": at least 1");
        }
        if (time != null && !TIME.matcher(time).matches()) {
            throw new ExperimenterException("slurm run: --time \"" + time
                    + "\": expected minutes, hours:minutes:seconds or days-hours[:minutes[:seconds]], e.g. 4:00:00");
        }
        if (partition != null && !PARTITION.matcher(partition).matches()) {
            throw new ExperimenterException("slurm run: --partition \"" + partition
                    + "\": letters, digits, '_', '.', '-' and commas between partitions only");
        }
        if (graceSeconds < 1 || graceSeconds > 65535) {
            throw new ExperimenterException("slurm run: --grace " + graceSeconds + ": 1 to 65535 seconds");
        }
        for (String o : sbatchOptions) {
            checkSbatchOption(o);
        }
    }

    /**
     * An option of the user's own becomes one {@code #SBATCH} line, which sbatch splits at spaces
     * and reads quotes in: one word, an option, nothing sbatch or the shell would read otherwise.
     */
    static void checkSbatchOption(String o) {
        if (!o.startsWith("-") || o.length() < 2) {
            throw new ExperimenterException("slurm run: sbatch option \"" + printable(o)
                    + "\": expected an option such as --mail-type=END after --");
        }
        for (int i = 0; i < o.length(); i++) {
            char c = o.charAt(i);
            if (c <= ' ' || c >= 127 || c == '\'' || c == '"' || c == '\\' || c == '`' || c == '#' || c == '$') {
                throw new ExperimenterException("slurm run: sbatch option \"" + printable(o)
                        + "\": only one word of printable ASCII without quotes, backslashes, '`', '$' or '#' goes into"
                        + " the script's #SBATCH lines; give other options to sbatch yourself (slurm run --print)");
            }
        }
    }

    /** The value with control characters shown as \n, \t or \\uXXXX: a message stays one line. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
