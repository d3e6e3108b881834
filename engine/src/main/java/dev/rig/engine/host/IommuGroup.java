package dev.rig.engine.host;

import java.util.List;

/**
 * An IOMMU group: the smallest set of PCI functions the host can isolate from the rest. VFIO hands devices to a
 * guest group by group, so every member must be bound to vfio-pci (or to no driver) before any of them is used.
 *
 * @param id      group number, the directory name under {@code /sys/kernel/iommu_groups}
 * @param members PCI members, sorted; non-PCI members (platform devices on some ARM hosts) are not listed
 */
public record IommuGroup(int id, List<PciAddress> members) {

    public IommuGroup {
        if (id < 0) {
            throw new IllegalArgumentException("IOMMU group id " + id + " is negative");
        }
        members = members.stream().sorted().distinct().toList();
    }

    public boolean contains(PciAddress address) {
        return members.contains(address);
    }
}
