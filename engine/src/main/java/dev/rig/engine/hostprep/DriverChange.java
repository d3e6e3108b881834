package dev.rig.engine.hostprep;

import dev.rig.engine.host.PciAddress;

import java.util.Objects;
import java.util.Optional;

/**
 * What happened to one device in a bind, unbind or restore.
 *
 * @param address the device
 * @param before  its driver before (empty: none)
 * @param after   its driver after (empty: none)
 * @param note    why nothing changed, or a remark; empty for a plain move
 */
public record DriverChange(PciAddress address, Optional<String> before, Optional<String> after, String note) {

    public DriverChange {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(note, "note");
    }

    public boolean changed() {
        return !before.equals(after);
    }

    /** "0000:01:00.0: nvidia -> vfio-pci", or "0000:01:00.0: already on vfio-pci". */
    public String describe() {
        String move = before.orElse("no driver") + " -> " + after.orElse("no driver");
        if (note.isEmpty()) {
            return address + ": " + move;
        }
        return address + ": " + (changed() ? move + " (" + note + ")" : note);
    }
}
