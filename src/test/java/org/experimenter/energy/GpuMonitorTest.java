package org.experimenter.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GPU sampling against a fake nvidia-smi: two GPUs drawing 100 W and 50 W. */
class GpuMonitorTest {
    @TempDir
    Path dir;

    /** A script answering nvidia-smi's query (and nothing else) for two GPUs. */
    static Path fakeNvidiaSmi(Path bin) throws Exception {
        Files.createDirectories(bin);
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(
                smi,
                String.join(
                        "\n",
                        "#!/bin/sh",
                        "[ \"$1\" = --query-gpu=index,name,power.draw,memory.used,utilization.gpu ] || exit 3",
                        "[ \"$2\" = --format=csv,noheader,nounits ] || exit 4",
                        "echo '0, Fake GPU A, 100.00, 2048, 40'",
                        "echo '1, Fake GPU A, 50.00, 1024, 90'",
                        ""));
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        return smi;
    }

    @Test
    void aWindowGetsTheSummedPowerOverItsTimeAndThePeaks() throws Exception {
        Path smi = fakeNvidiaSmi(dir.resolve("bin"));
        GpuMonitor m = GpuMonitor.of(smi.toString(), Duration.ofMillis(20));
        GpuMonitor.Window w = m.open();
        long t0 = System.nanoTime();
        Thread.sleep(200);
        GpuMonitor.Reading r = w.close();
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(150.0, r.watts(), 1e-6);
        assertEquals(150.0 * seconds, r.joules(), 150.0 * 0.05); // the window's own clock, within 50 ms
        assertEquals(2048.0, r.peakMemoryMb(), 0.0);
        assertEquals(90.0, r.peakUtilization(), 0.0);
        assertEquals("Fake GPU A", r.model());
        assertEquals(2, r.count());
    }

    @Test
    void aWindowOnTheTasksGpusCountsOnlyThem() throws Exception {
        Path smi = fakeNvidiaSmi(dir.resolve("bin"));
        GpuMonitor m = GpuMonitor.of(smi.toString(), Duration.ofMillis(20));
        GpuMonitor.Window second = m.open(List.of("1"));
        GpuMonitor.Window both = m.open(List.of("0", "1"));
        GpuMonitor.Window absent = m.open(List.of("7"));
        Thread.sleep(200);
        GpuMonitor.Reading r = second.close();
        assertEquals(50.0, r.watts(), 1e-6);
        assertEquals(1024.0, r.peakMemoryMb(), 0.0);
        assertEquals(90.0, r.peakUtilization(), 0.0);
        assertEquals(1, r.count());
        assertEquals(150.0, both.close().watts(), 1e-6);
        GpuMonitor.Reading none = absent.close();
        assertEquals(0.0, none.joules(), 0.0);
        assertNull(none.model());
    }

    @Test
    void aFailingProgramIsAskedOnce() throws Exception {
        Path calls = dir.resolve("calls");
        Path failing = dir.resolve("failing-counted");
        Files.writeString(failing, "#!/bin/sh\necho call >> '" + calls + "'\nexit 9\n");
        Files.setPosixFilePermissions(failing, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertNull(GpuMonitor.of(failing.toString(), Duration.ofSeconds(1)));
        assertNull(GpuMonitor.of(failing.toString(), Duration.ofSeconds(1)));
        assertEquals(1, Files.readAllLines(calls).size());
    }

    @Test
    void noProgramOrAFailingOneMeansNoGpu() throws Exception {
        assertNull(GpuMonitor.of("", Duration.ofSeconds(1)));
        assertNull(GpuMonitor.of(dir.resolve("missing-nvidia-smi").toString(), Duration.ofSeconds(1)));
        Path failing = dir.resolve("failing");
        Files.writeString(failing, "#!/bin/sh\necho 'NVIDIA-SMI has failed'\nexit 9\n");
        Files.setPosixFilePermissions(failing, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertNull(GpuMonitor.of(failing.toString(), Duration.ofSeconds(1)));
    }

    @Test
    void notAvailableFieldsCountAsZero() {
        GpuMonitor.Sample s = GpuMonitor.parse("0, Tesla T4, [N/A], 15, [N/A]\n", 0);
        assertEquals(List.of(new GpuMonitor.Gpu("0", "Tesla T4", 0, 15, 0)), s.gpus());
    }
}
