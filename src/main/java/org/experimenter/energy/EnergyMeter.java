package org.experimenter.energy;

import java.nio.file.Path;
import java.util.List;
import org.experimenter.config.EnergySettings;

/**
 * Finds the energy of attempts on this host. {@link #start} when an attempt starts, {@link
 * #stop} when it ends, with the attempt's CPU time (its thread's, plus its processes' for a
 * command or a Python function):
 * <ul>
 *   <li>CPU, measured: where RAPL counters are readable, the packages' joules over the attempt
 *       times the attempt's share of the host's busy CPU time over the same interval (its CPU
 *       seconds over {@code /proc/stat}'s), at most all of it;
 *   <li>CPU, estimated: CPU seconds times the power per busy core;
 *   <li>RAM, always estimated: the memory charged (GB) times the power per GB times the wall time;
 *   <li>GPU: what {@link GpuMonitor} integrated from {@code nvidia-smi} while the attempt ran.
 * </ul>
 * Emissions are the energy times the carbon intensity. Serializable state is only the settings;
 * the counters are found in each JVM.
 */
public final class EnergyMeter {
    private final EnergySettings settings;
    private final Rapl rapl;
    private final HostCpu host;
    private final GpuMonitor gpu;
    private final Machine machine;

    /** What was read when an attempt started. */
    public record Start(long nanos, long[] rapl, double hostBusy, GpuMonitor.Window gpu) {}

    EnergyMeter(EnergySettings settings, Rapl rapl, HostCpu host, GpuMonitor gpu, Machine machine) {
        this.settings = settings;
        this.rapl = rapl;
        this.host = host;
        this.gpu = gpu;
        this.machine = machine;
    }

    /** The meter of these settings on this host; null when energy is off. */
    public static EnergyMeter of(EnergySettings settings) {
        if (!settings.enabled()) {
            return null;
        }
        return new EnergyMeter(
                settings,
                Rapl.at(Path.of(settings.powercapRoot())),
                new HostCpu(Path.of("/proc/stat")),
                GpuMonitor.of(settings.nvidiaSmi(), settings.gpuSampleInterval()),
                Machine.thisHost());
    }

    /** For tests: another /proc/stat. */
    static EnergyMeter of(EnergySettings settings, Path procStat) {
        return new EnergyMeter(
                settings,
                Rapl.at(Path.of(settings.powercapRoot())),
                new HostCpu(procStat),
                GpuMonitor.of(settings.nvidiaSmi(), settings.gpuSampleInterval()),
                Machine.thisHost());
    }

    /** An attempt starts on the GPUs of these addresses (all of the host's when empty). */
    public Start start(List<String> gpus) {
        long[] r = rapl == null ? null : rapl.read();
        double busy = r == null ? Double.NaN : host.busySeconds();
        return new Start(System.nanoTime(), r, busy, gpu == null ? null : gpu.open(gpus));
    }

    /**
     * The energy of an attempt that started at s, ran wallSeconds and used cpuSeconds of CPU
     * time; NaN CPU time (not measured: the attempt was given up) counts as one busy core.
     */
    public Energy stop(Start s, double cpuSeconds, double wallSeconds) {
        double cpu = Double.isNaN(cpuSeconds) ? wallSeconds : cpuSeconds;
        GpuMonitor.Reading g = s.gpu() == null ? null : s.gpu().close();
        Double raplJoules = null;
        double share = 0;
        if (s.rapl() != null) {
            long[] after = rapl.read();
            double busy = host.busySeconds() - s.hostBusy();
            if (after != null && !Double.isNaN(busy)) {
                raplJoules = rapl.joulesBetween(s.rapl(), after);
                // the attempt's CPU time is counted exactly, the host's in ticks: never more than all
                share = busy > 0 ? Math.min(1.0, cpu / busy) : (cpu > 0 ? 1.0 : 0.0);
            }
        }
        return compute(settings, machine, wallSeconds, cpu, raplJoules, share, g);
    }

    /** The per-core power the estimate uses: the setting, or 85 W over the host's logical CPUs. */
    static double wattsPerCore(EnergySettings s, Machine m) {
        return s.cpuPowerPerCoreW() > 0 ? s.cpuPowerPerCoreW() : EnergySettings.FALLBACK_HOST_WATTS / m.cpuCount();
    }

    /** The GB an attempt is charged for: the setting, or the host's memory over its logical CPUs. */
    static double ramGb(EnergySettings s, Machine m) {
        return s.ramGb() > 0 ? s.ramGb() : m.ramGb() / m.cpuCount();
    }

    /**
     * The row: measured CPU energy when raplJoules is given (times share), else cpuSeconds times
     * the power per core. Pure, so that the estimate is tested to the last digit.
     */
    public static Energy compute(
            EnergySettings s,
            Machine m,
            double wallSeconds,
            double cpuSeconds,
            Double raplJoules,
            double share,
            GpuMonitor.Reading gpu) {
        double cpuJoules = raplJoules != null ? raplJoules * share : cpuSeconds * wattsPerCore(s, m);
        double gb = ramGb(s, m);
        double ramWatts = gb * s.ramPowerPerGbW();
        double ramJoules = ramWatts * wallSeconds;
        Double gpuKwh = gpu == null ? null : gpu.joules() / Energy.JOULES_PER_KWH;
        double cpuKwh = cpuJoules / Energy.JOULES_PER_KWH;
        double ramKwh = ramJoules / Energy.JOULES_PER_KWH;
        double total = cpuKwh + ramKwh + (gpuKwh == null ? 0 : gpuKwh);
        return new Energy(
                wallSeconds,
                cpuKwh,
                ramKwh,
                gpuKwh,
                total,
                total * s.carbonIntensity() / 1000.0,
                raplJoules != null ? Energy.MEASURED : Energy.ESTIMATED,
                wallSeconds > 0 ? cpuJoules / wallSeconds : 0,
                ramWatts,
                gpu == null ? null : gpu.watts(),
                m.cpuModel(),
                m.cpuCount(),
                gpu == null ? null : gpu.model(),
                gpu == null ? null : gpu.count(),
                gb,
                s.country().isEmpty() ? null : s.country(),
                s.carbonIntensity(),
                gpu == null ? null : gpu.peakMemoryMb(),
                gpu == null ? null : gpu.peakUtilization());
    }
}
