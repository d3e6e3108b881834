package dev.rig.engine.model;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A host PCI device passed through to the guest, as written in the script: {@code path} is what the user wrote
 * (a sysfs path or a BDF); resolving it against the host is validation's job.
 */
public record DeviceSpec(String path, Optional<String> id, int pciSegment, OptionalInt gpudirectClique,
                         boolean managed, Optional<Boolean> rom, Optional<SourceRef> origin) {
    /** Cloud Hypervisor's and libvirt's default: Rig binds the device to vfio-pci and gives it back afterwards. */
    public static final boolean DEFAULT_MANAGED = true;

    /** The id, else the canonical address the path names, else the path as written. */
    public String label() {
        return id.orElseGet(() -> {
            try {
                return dev.rig.engine.host.PciAddress.parse(path).toString();
            } catch (IllegalArgumentException e) {
                return path;
            }
        });
    }
}
