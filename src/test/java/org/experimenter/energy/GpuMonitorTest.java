package org.experimenter.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
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
                        "[ \"$1\" = --query-gpu=name,power.draw,memory.used,utilization.gpu ] || exit 3",
                        "[ \"$2\" = --format=csv,noheader,nounits ] || exit 4",
                        "echo 'Fake GPU A, 100.00, 2048, 40'",
                        "echo 'Fake GPU A, 50.00, 1024, 90'",
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
        GpuMonitor.Sample s = GpuMonitor.parse("Tesla T4, [N/A], 15, [N/A]\n", 0);
        assertEquals(0.0, s.watts(), 0.0);
        assertEquals(15.0, s.memoryMb(), 0.0);
        assertEquals(1, s.count());
    }
}
