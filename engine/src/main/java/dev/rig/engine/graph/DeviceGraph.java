package dev.rig.engine.graph;

import dev.rig.engine.alloc.ApertureUsage;
import dev.rig.engine.alloc.GuestMemoryLayout;
import dev.rig.engine.host.IommuGroup;

import java.util.List;

/**
 * The resolved VM: the guest memory map, PCI segments with their functions and allocations, the IOMMU groups the
 * passed-through devices come from, and how much of each aperture is used.
 */
public record DeviceGraph(GuestMemoryLayout memory, List<PciSegmentNode> segments, List<IommuGroup> iommuGroups,
                          List<ApertureUsage> apertureUsage, String hostSource) {
    public DeviceGraph {
        segments = List.copyOf(segments);
        iommuGroups = List.copyOf(iommuGroups);
        apertureUsage = List.copyOf(apertureUsage);
    }

    public List<GuestPciFunction.Passthrough> passthroughDevices() {
        return segments.stream().flatMap(s -> s.functions().stream())
                .filter(f -> f instanceof GuestPciFunction.Passthrough)
                .map(f -> (GuestPciFunction.Passthrough) f).toList();
    }
}
