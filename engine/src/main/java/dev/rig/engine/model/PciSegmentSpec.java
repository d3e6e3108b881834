package dev.rig.engine.model;

import java.util.Optional;

/** A PCI segment's share of the 32-bit and 64-bit MMIO space (Cloud Hypervisor's aperture weights). */
public record PciSegmentSpec(int id, int mmio32Weight, int mmio64Weight, Optional<SourceRef> origin) {}
