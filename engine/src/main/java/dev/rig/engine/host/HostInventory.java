package dev.rig.engine.host;

import java.util.List;
import java.util.Optional;

/**
 * The host's PCI facts that Rig validates a VM script against before touching anything.
 *
 * <p>Two implementations: {@link SysfsHostInventory} reads the live host, {@link SnapshotHostInventory} holds facts
 * read from a JSON snapshot ({@link HostSnapshot}) so a VM can be planned for another machine. Implementations are
 * immutable views taken at one moment; re-read to see later changes such as a driver rebind.
 */
public interface HostInventory {

    /** All PCI functions, sorted by address. */
    List<PciDevice> devices();

    Optional<PciDevice> device(PciAddress address);

    /** All IOMMU groups, sorted by id; empty when the IOMMU is off. */
    List<IommuGroup> iommuGroups();

    Optional<IommuGroup> iommuGroup(int id);

    /** Where the facts came from, for messages: {@code "sysfs /sys"}, {@code "snapshot host.json"}. */
    String source();

    /** True when the kernel created any IOMMU group, i.e. DMA remapping is on and VFIO can isolate devices. */
    default boolean iommuEnabled() {
        return !iommuGroups().isEmpty();
    }

    /** The group of the function at {@code address}; empty if there is no such function or it has no group. */
    default Optional<IommuGroup> iommuGroupOf(PciAddress address) {
        return device(address).stream()
                .flatMap(d -> d.iommuGroup().stream().boxed())
                .findFirst()
                .flatMap(this::iommuGroup);
    }

    /** The function at {@code address}, or an exception naming the address and {@link #source()}. */
    default PciDevice requireDevice(PciAddress address) {
        return device(address).orElseThrow(() -> new HostInventoryException(
                "no PCI device " + address + " on this host (" + source() + ")"));
    }
}
