// The value of the energy section: how each attempt's energy and emissions are measured or estimated.
package org.experimenter.config;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the energy of an attempt is found (docs/energy-and-provenance.md).
 *
 * @param enabled whether attempts record energy at all
 * @param cpuPowerPerCoreW watts per busy core for the estimate; 0 means 85 W over the host's
 *     logical CPUs
 * @param ramPowerPerGbW watts per GB of memory
 * @param ramGb GB an attempt is charged for; 0 means the host's memory over its logical CPUs
 * @param carbonIntensity g CO2eq per kWh
 * @param country the grid's country as given, or empty
 * @param powercapRoot the folder of the RAPL counters
 * @param nvidiaSmi the program asked about GPUs, or empty for none
 * @param gpuSampleInterval how often GPUs are sampled while a row runs
 */
public record EnergySettings(
        boolean enabled,
        double cpuPowerPerCoreW,
        double ramPowerPerGbW,
        double ramGb,
        double carbonIntensity,
        String country,
        String powercapRoot,
        String nvidiaSmi,
        Duration gpuSampleInterval)
        implements Serializable {
    /** CodeCarbon's fallback TDP, for a processor it does not know: the default whole-host power. */
    public static final double FALLBACK_HOST_WATTS = 85.0;
}
