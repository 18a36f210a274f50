package org.experimenter.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.experimenter.config.EnergySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The estimate and the RAPL measure, with known inputs and exact expected figures. */
class EnergyMeterTest {
    @TempDir
    Path dir;

    static final Machine HOST = new Machine("Test CPU", 8, 32.0);

    static EnergySettings settings(double perCore, double ramGb, String powercap) {
        return new EnergySettings(true, perCore, 0.375, ramGb, 475, "", powercap, "", Duration.ofSeconds(1));
    }

    @Test
    void threeCpuSecondsAtTwentyWattsAndTwoGbForFourSecondsIsSixtyFourJoules() {
        EnergySettings s = new EnergySettings(true, 20, 0.5, 2, 400, "DEU", "/none", "", Duration.ofSeconds(1));
        Energy e = EnergyMeter.compute(s, HOST, 4.0, 3.0, null, 0, null);
        assertEquals(60 / 3.6e6, e.cpuEnergyKwh(), 0.0); // 3 s x 20 W = 60 J
        assertEquals(4 / 3.6e6, e.ramEnergyKwh(), 0.0); // 2 GB x 0.5 W/GB x 4 s = 4 J
        assertEquals(60 / 3.6e6 + 4 / 3.6e6, e.energyKwh(), 0.0);
        assertEquals(1.7777777777777777e-5, e.energyKwh(), 1e-20);
        assertEquals(7.111111111111111e-6, e.emissionsKg(), 1e-20); // x 400 g/kWh
        assertEquals(15.0, e.cpuPowerW(), 0.0); // 60 J over 4 s
        assertEquals(1.0, e.ramPowerW(), 0.0);
        assertEquals("estimated", e.method());
        assertEquals("DEU", e.country());
        assertNull(e.gpuEnergyKwh());
    }

    @Test
    void theDefaultsAre85WattsOverTheCoresAndTheHostsMemoryOverTheCores() {
        Energy e = EnergyMeter.compute(settings(0, 0, "/none"), HOST, 10.0, 8.0, null, 0, null);
        // 85 W / 8 cores x 8 s = 85 J; 32 GB / 8 cores = 4 GB x 0.375 W/GB x 10 s = 15 J
        assertEquals(85 / 3.6e6, e.cpuEnergyKwh(), 0.0);
        assertEquals(4.0, e.ramGb(), 0.0);
        assertEquals(15 / 3.6e6, e.ramEnergyKwh(), 1e-20);
        assertEquals((100 / 3.6e6) * 475 / 1000, e.emissionsKg(), 1e-20);
        assertNull(e.country());
    }

    @Test
    void raplEnergyIsApportionedByTheAttemptsShareOfTheHostsCpuTimeAcrossAWrap() throws Exception {
        Path root = dir.resolve("powercap");
        counter(root.resolve("intel-rapl:0"), 999_000_000L, 999_999_999L); // wraps after 1000 J
        counter(root.resolve("intel-rapl:1"), 5_000_000L, 999_999_999L);
        counter(root.resolve("intel-rapl:0:0"), 7L, 999_999_999L); // a part of package 0: not counted again
        Files.createDirectories(root.resolve("intel-rapl")); // the control type, no counter
        Path stat = dir.resolve("stat");
        Files.writeString(stat, "cpu  600 100 300 5000 20 0 0 0 0 0\ncpu0 1 2 3 4\n"); // 1000 busy ticks
        EnergyMeter m = EnergyMeter.of(settings(20, 1, root.toString()), stat);
        EnergyMeter.Start s = m.start(java.util.List.of());
        Files.writeString(root.resolve("intel-rapl:0/energy_uj"), "1000000\n"); // wrapped: +2.000000 J
        Files.writeString(root.resolve("intel-rapl:1/energy_uj"), "8000000\n"); // +3 J
        Files.writeString(root.resolve("intel-rapl:0:0/energy_uj"), "9999999\n");
        Files.writeString(stat, "cpu  800 100 450 5000 20 30 20 0 0 0\n"); // 1400 busy ticks: 4 s
        Energy e = m.stop(s, 1.0, 2.0); // 1 s of the host's 4 busy seconds
        assertEquals("measured", e.method());
        assertEquals(5.000000 * 0.25 / 3.6e6, e.cpuEnergyKwh(), 0.0);
        assertEquals(5.000000 * 0.25 / 2.0, e.cpuPowerW(), 1e-12);
    }

    @Test
    void unreadableCountersMeanEstimate() throws Exception {
        Path root = dir.resolve("powercap");
        Files.createDirectories(root.resolve("intel-rapl:0"));
        Files.writeString(root.resolve("intel-rapl:0/max_energy_range_uj"), "100\n"); // no energy_uj
        assertNull(Rapl.at(root));
        assertNull(Rapl.at(dir.resolve("missing")));
        EnergyMeter m = EnergyMeter.of(settings(20, 1, root.toString()), dir.resolve("nostat"));
        assertEquals("estimated", m.stop(m.start(java.util.List.of()), 1.0, 1.0).method());
    }

    static void counter(Path d, long value, long max) throws Exception {
        Files.createDirectories(d);
        Files.writeString(d.resolve("energy_uj"), value + "\n");
        Files.writeString(d.resolve("max_energy_range_uj"), max + "\n");
    }
}
