package org.experimenter.energy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.experimenter.process.ProgramOutput;

/**
 * Samples the GPUs of this host with {@code nvidia-smi} (per GPU: power draw, memory used,
 * utilisation), one thread per JVM and program, while rows run, and integrates each GPU's power
 * into joules. An attempt opens a {@link Window} on the GPUs Spark gave its task (their addresses
 * are nvidia-smi's indices, as scripts/gpu-discover announces them; all GPUs of the host when the
 * task was given none) when it starts and closes it when it ends: the energy of those GPUs
 * between the two (the last sampled power carried forward to the moment of each), and the peaks
 * of their samples taken meanwhile. Rows that share a GPU are each charged its whole draw. The
 * program runs with an argument list, never through a shell.
 */
public final class GpuMonitor {
    private static final Logger LOG = Logger.getLogger(GpuMonitor.class.getName());
    /** Per program and interval: its monitor, or empty when it showed no GPU (never asked again). */
    private static final Map<String, Optional<GpuMonitor>> MONITORS = new ConcurrentHashMap<>();

    static final List<String> QUERY =
            List.of("--query-gpu=index,name,power.draw,memory.used,utilization.gpu", "--format=csv,noheader,nounits");

    /** One GPU in a sample. */
    record Gpu(String index, String name, double watts, double memoryMb, double utilization) {}

    /** One sample of the host's GPUs. */
    record Sample(long nanos, List<Gpu> gpus) {
        double watts(Set<String> of) {
            double w = 0;
            for (Gpu g : gpus) {
                w += of.contains(g.index()) ? g.watts() : 0;
            }
            return w;
        }
    }

    private final String program;
    private final long intervalNanos;
    private final Set<Window> open = ConcurrentHashMap.newKeySet();
    private Sample last;
    /** Joules per GPU index up to the last sample. */
    private final Map<String, Double> joules = new HashMap<>();

    private GpuMonitor(String program, Duration interval, Sample first) {
        this.program = program;
        this.intervalNanos = interval.toNanos();
        this.last = first;
        Thread t = new Thread(this::loop, "experimenter-gpu-monitor");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The monitor of a program, started at the first call; null when the program is empty,
     * missing, fails or reports no GPU (then never asked again in this JVM).
     */
    public static GpuMonitor of(String program, Duration interval) {
        if (program == null || program.isEmpty()) {
            return null;
        }
        return MONITORS.computeIfAbsent(program + "\n" + interval.toNanos(), k -> {
                    Sample first = sample(program);
                    if (first == null) {
                        LOG.fine(() -> "no GPU seen by " + program + ": attempts record none");
                        return Optional.empty();
                    }
                    return Optional.of(new GpuMonitor(program, interval, first));
                })
                .orElse(null);
    }

    /** A window on all GPUs of the host. */
    public Window open() {
        return open(List.of());
    }

    /**
     * A window on the GPUs of these addresses (nvidia-smi's indices; all of the host's when
     * empty) from now until {@link Window#close}; addresses the host does not have count nothing.
     */
    public Window open(List<String> addresses) {
        Window w;
        synchronized (this) {
            Set<String> of = new HashSet<>(addresses);
            if (of.isEmpty()) {
                for (Gpu g : last.gpus()) {
                    of.add(g.index());
                }
            }
            long now = System.nanoTime();
            List<String> names = new ArrayList<>();
            for (Gpu g : last.gpus()) {
                if (of.contains(g.index()) && !names.contains(g.name())) {
                    names.add(g.name());
                }
            }
            w = new Window(this, of, joulesAt(now, of), now, names.isEmpty() ? null : String.join(", ", names));
            w.see(last);
        }
        open.add(w);
        return w;
    }

    private synchronized double joulesAt(long nanos, Set<String> of) {
        double j = 0;
        for (String i : of) {
            j += joules.getOrDefault(i, 0.0);
        }
        return j + last.watts(of) * Math.max(0, nanos - last.nanos()) / 1e9;
    }

    private void loop() {
        while (true) {
            try {
                TimeUnit.NANOSECONDS.sleep(intervalNanos);
            } catch (InterruptedException e) {
                return;
            }
            Sample s = sample(program);
            if (s == null) {
                continue; // a failed sample: the last power carries on
            }
            synchronized (this) {
                double seconds = Math.max(0, s.nanos() - last.nanos()) / 1e9;
                for (Gpu g : last.gpus()) {
                    joules.merge(g.index(), g.watts() * seconds, Double::sum);
                }
                last = s;
            }
            for (Window w : open) {
                w.see(s);
            }
        }
    }

    /** One run of the program; null when it cannot run, fails, or prints nothing usable. */
    static Sample sample(String program) {
        List<String> argv = new ArrayList<>();
        argv.add(program);
        argv.addAll(QUERY);
        String out = ProgramOutput.of(argv, Duration.ofSeconds(30));
        return out == null ? null : parse(out, System.nanoTime());
    }

    /** Lines of {@code index, name, power.draw, memory.used, utilization.gpu}; "[N/A]" counts as 0. */
    static Sample parse(String out, long nanos) {
        List<Gpu> gpus = new ArrayList<>();
        for (String line : out.split("\\R")) {
            String[] f = line.split(",");
            if (f.length < 5) {
                continue;
            }
            gpus.add(new Gpu(f[0].trim(), f[1].trim(), number(f[2]), number(f[3]), number(f[4])));
        }
        return gpus.isEmpty() ? null : new Sample(nanos, List.copyOf(gpus));
    }

    private static double number(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException notAvailable) {
            return 0;
        }
    }

    /** The GPUs seen by one attempt. */
    public static final class Window {
        private final GpuMonitor monitor;
        private final Set<String> of;
        private final double startJoules;
        private final long startNanos;
        final String model;
        private double peakMemoryMb;
        private double peakUtilization;

        private Window(GpuMonitor monitor, Set<String> of, double startJoules, long startNanos, String model) {
            this.monitor = monitor;
            this.of = of;
            this.startJoules = startJoules;
            this.startNanos = startNanos;
            this.model = model;
        }

        private synchronized void see(Sample s) {
            for (Gpu g : s.gpus()) {
                if (of.contains(g.index())) {
                    peakMemoryMb = Math.max(peakMemoryMb, g.memoryMb());
                    peakUtilization = Math.max(peakUtilization, g.utilization());
                }
            }
        }

        /** Ends the window: joules, average watts, peak memory (MB) and utilisation (%) of its GPUs. */
        public synchronized Reading close() {
            monitor.open.remove(this);
            long end = System.nanoTime();
            double j = monitor.joulesAt(end, of) - startJoules;
            double seconds = (end - startNanos) / 1e9;
            return new Reading(j, seconds > 0 ? j / seconds : 0, peakMemoryMb, peakUtilization, model, of.size());
        }
    }

    /** What a window saw. */
    public record Reading(
            double joules, double watts, double peakMemoryMb, double peakUtilization, String model, int count) {}
}
