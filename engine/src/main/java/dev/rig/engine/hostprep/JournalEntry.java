package dev.rig.engine.hostprep;

import dev.rig.engine.host.PciAddress;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a device looked like before Rig took it: enough to give it back.
 *
 * @param address          the device
 * @param originalDriver   the driver it had, empty when it had none
 * @param originalOverride its driver_override before, empty when unset (the usual case)
 * @param owner            who took it
 * @param taken            when
 */
public record JournalEntry(PciAddress address, Optional<String> originalDriver, Optional<String> originalOverride,
                           Owner owner, Instant taken) {

    public JournalEntry {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(originalDriver, "originalDriver");
        Objects.requireNonNull(originalOverride, "originalOverride");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(taken, "taken");
    }

    /** "nvidia", or "no driver". */
    public String originalDriverText() {
        return originalDriver.orElse("no driver");
    }
}
