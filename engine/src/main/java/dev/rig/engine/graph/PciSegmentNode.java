package dev.rig.engine.graph;

import dev.rig.engine.alloc.SegmentAperture;

import java.util.List;

/** One PCI segment (domain): its apertures and the functions on its bus 0. */
public record PciSegmentNode(int id, int mmio32Weight, int mmio64Weight, SegmentAperture aperture,
                             List<GuestPciFunction> functions) {
    public PciSegmentNode {
        functions = List.copyOf(functions);
    }
}
