package dev.rig.engine.hostprep;

import dev.rig.engine.host.HostInventory;
import dev.rig.engine.host.IommuGroup;
import dev.rig.engine.host.PciAddress;
import dev.rig.engine.host.PciDevice;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a device can be passed through as the host is now: it must be an endpoint, be bound to vfio-pci, and every
 * other endpoint of its IOMMU group must be on vfio-pci, on pci-stub or on no driver (VFIO refuses a group where a
 * host driver still does DMA). Bridges in the group do not count: their driver (pcieport) is compatible.
 *
 * @param ready   whether it is ready
 * @param reasons why not, one phrase each; empty when ready
 * @param summary "ready: bound to vfio-pci, group 22 complete" or "not ready: " and the reasons
 */
public record PassthroughReadiness(boolean ready, List<String> reasons, String summary) {

    public static final String VFIO_PCI = "vfio-pci";
    /** Drivers that may hold a group sibling: they do no DMA of their own (driver_managed_dma in the kernel). */
    static final Set<String> GROUP_SAFE_DRIVERS = Set.of(VFIO_PCI, "pci-stub");

    public PassthroughReadiness {
        reasons = List.copyOf(reasons);
    }

    public static PassthroughReadiness of(HostInventory host, PciAddress address) {
        Optional<PciDevice> found = host.device(address);
        if (found.isEmpty()) {
            return notReady(List.of("no such device"));
        }
        PciDevice d = found.get();
        if (d.isBridge()) {
            return notReady(List.of("a PCI bridge: Rig passes through the devices behind it, not the bridge"));
        }
        List<String> reasons = new ArrayList<>();
        if (!d.driver().equals(Optional.of(VFIO_PCI))) {
            reasons.add(d.driver().map(drv -> "bound to " + drv).orElse("no driver"));
        }
        Optional<IommuGroup> group = host.iommuGroupOf(address);
        if (group.isEmpty()) {
            reasons.add("no IOMMU group (the IOMMU is off)");
            return notReady(reasons);
        }
        for (PciDevice sibling : unsafeSiblings(host, group.get(), address)) {
            reasons.add("group " + group.get().id() + " also holds " + sibling.address() + " bound to "
                    + sibling.driver().orElseThrow());
        }
        if (!reasons.isEmpty()) {
            return notReady(reasons);
        }
        return new PassthroughReadiness(true, List.of(),
                "ready: bound to vfio-pci, group " + group.get().id() + " complete");
    }

    /** The group's other endpoints whose driver would make the group unusable for VFIO. */
    static List<PciDevice> unsafeSiblings(HostInventory host, IommuGroup group, PciAddress self) {
        return group.members().stream()
                .filter(m -> !m.equals(self))
                .map(host::requireDevice)
                .filter(m -> !m.isBridge())
                .filter(m -> m.driver().isPresent() && !GROUP_SAFE_DRIVERS.contains(m.driver().get()))
                .toList();
    }

    private static PassthroughReadiness notReady(List<String> reasons) {
        return new PassthroughReadiness(false, reasons, "not ready: " + String.join("; ", reasons));
    }
}
