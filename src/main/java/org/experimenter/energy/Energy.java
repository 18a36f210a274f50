package org.experimenter.energy;

import java.io.Serializable;

/**
 * The energy row of one attempt: energy by component in kWh, emissions in kg CO2eq, how it was
 * found ({@code measured} from RAPL or {@code estimated} from CPU time), the average powers
 * behind it and the hardware. GPU columns are null when no GPU was seen.
 */
public record Energy(
        double durationS,
        double cpuEnergyKwh,
        double ramEnergyKwh,
        Double gpuEnergyKwh,
        double energyKwh,
        double emissionsKg,
        String method,
        double cpuPowerW,
        double ramPowerW,
        Double gpuPowerW,
        String cpuModel,
        int cpuCount,
        String gpuModel,
        Integer gpuCount,
        double ramGb,
        String country,
        double carbonIntensity,
        Double gpuMemoryPeakMb,
        Double gpuUtilizationPeak)
        implements Serializable {
    public static final String MEASURED = "measured";
    public static final String ESTIMATED = "estimated";
    static final double JOULES_PER_KWH = 3.6e6;

    /** The columns of the energy table after id and attempt, in the order of the components. */
    public static final java.util.List<String> COLUMNS = java.util.List.of(
            "duration_s",
            "cpu_energy_kwh",
            "ram_energy_kwh",
            "gpu_energy_kwh",
            "energy_kwh",
            "emissions_kg",
            "method",
            "cpu_power_w",
            "ram_power_w",
            "gpu_power_w",
            "cpu_model",
            "cpu_count",
            "gpu_model",
            "gpu_count",
            "ram_gb",
            "country",
            "carbon_intensity_g_per_kwh",
            "gpu_memory_peak_mb",
            "gpu_utilization_peak");

    /** The values in the order of {@link #COLUMNS}. */
    public Object[] values() {
        return new Object[] {
            durationS,
            cpuEnergyKwh,
            ramEnergyKwh,
            gpuEnergyKwh,
            energyKwh,
            emissionsKg,
            method,
            cpuPowerW,
            ramPowerW,
            gpuPowerW,
            cpuModel,
            cpuCount,
            gpuModel,
            gpuCount,
            ramGb,
            country,
            carbonIntensity,
            gpuMemoryPeakMb,
            gpuUtilizationPeak
        };
    }
}
