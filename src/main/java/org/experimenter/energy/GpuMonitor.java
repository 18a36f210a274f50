package org.experimenter.energy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.experimenter.command.ProgramOutput;

/**
 * Samples the GPUs of this host with {@code nvidia-smi} (power draw, memory used, utilisation),
 * one thread per JVM and program, while rows run, and integrates the power into joules. An
 * attempt opens a {@link Window} when it starts and closes it when it ends: the energy between
 * the two (the last sampled power carried forward to the moment of each), and the peaks of the
 * samples taken meanwhile. All GPUs of the host count: rows that share one are each charged
 * its whole draw. The program runs with an argument list, never through a shell.
 */
public final class GpuMonitor {
    private static final Logger LOG = Logger.getLogger(GpuMonitor.class.getName());
    private static final Map<String, GpuMonitor> MONITORS = new ConcurrentHashMap<>();
    static final List<String> QUERY =
            List.of("--query-gpu=name,power.draw,memory.used,utilization.gpu", "--format=csv,noheader,nounits");

    /** One sample of all GPUs: the sum of their power, the largest memory and utilisation. */
    record Sample(long nanos, double watts, double memoryMb, double utilization, String model, int count) {}

    private final String program;
    private final long intervalNanos;
    private final Set<Window> open = ConcurrentHashMap.newKeySet();
    private Sample last;
    private double joules;

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
                return null;
            }
            return new GpuMonitor(program, interval, first);
        });
    }

    /** The energy and peaks of the GPUs from now until {@link Window#close}. */
    public Window open() {
        Window w;
        synchronized (this) {
            long now = System.nanoTime();
            w = new Window(this, joulesAt(now), now, last.model(), last.count());
            w.see(last);
        }
        open.add(w);
        return w;
    }

    private synchronized double joulesAt(long nanos) {
        return joules + last.watts() * Math.max(0, nanos - last.nanos()) / 1e9;
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
                joules += last.watts() * Math.max(0, s.nanos() - last.nanos()) / 1e9;
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

    /** Lines of {@code name, power.draw, memory.used, utilization.gpu}; "[N/A]" counts as 0. */
    static Sample parse(String out, long nanos) {
        double watts = 0;
        double memory = 0;
        double util = 0;
        int count = 0;
        String model = null;
        for (String line : out.split("\\R")) {
            String[] f = line.split(",");
            if (f.length < 4) {
                continue;
            }
            count++;
            String name = f[0].trim();
            model = model == null || model.equals(name) ? name : model + ", " + name;
            watts += number(f[1]);
            memory = Math.max(memory, number(f[2]));
            util = Math.max(util, number(f[3]));
        }
        return count == 0 ? null : new Sample(nanos, watts, memory, util, model, count);
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
        private final double startJoules;
        private final long startNanos;
        final String model;
        final int count;
        private double peakMemoryMb;
        private double peakUtilization;

        private Window(GpuMonitor monitor, double startJoules, long startNanos, String model, int count) {
            this.monitor = monitor;
            this.startJoules = startJoules;
            this.startNanos = startNanos;
            this.model = model;
            this.count = count;
        }

        private synchronized void see(Sample s) {
            peakMemoryMb = Math.max(peakMemoryMb, s.memoryMb());
            peakUtilization = Math.max(peakUtilization, s.utilization());
        }

        /** Ends the window: joules, average watts, peak memory (MB) and utilisation (%). */
        public synchronized Reading close() {
            monitor.open.remove(this);
            long end = System.nanoTime();
            double j = monitor.joulesAt(end) - startJoules;
            double seconds = (end - startNanos) / 1e9;
            return new Reading(j, seconds > 0 ? j / seconds : 0, peakMemoryMb, peakUtilization, model, count);
        }
    }

    /** What a window saw. */
    public record Reading(
            double joules, double watts, double peakMemoryMb, double peakUtilization, String model, int count) {}
}
