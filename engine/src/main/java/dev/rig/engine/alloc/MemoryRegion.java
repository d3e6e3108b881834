package dev.rig.engine.alloc;

/** One named piece of the guest physical memory map. */
public record MemoryRegion(String name, Type type, AddressRange range) {

    /** What occupies a region; enough to derive a boot e820 table and to print {@code rig plan}. */
    public enum Type {
        /** Guest RAM (e820 RAM, apart from the legacy hole below 1 MiB). */
        RAM,
        /** 32-bit PCI device space, split between PCI segments. */
        MMIO32,
        /** 64-bit PCI device space, split between PCI segments. */
        MMIO64,
        /** PCI Express enhanced configuration space (MMCONFIG); must be e820-reserved. */
        ECAM,
        /** Fixed platform addresses: KVM TSS, IOAPIC, local APIC, platform devices. */
        RESERVED
    }

    public MemoryRegion {
        if (name == null || type == null || range == null) {
            throw new IllegalArgumentException("memory region needs a name, a type and a range");
        }
    }

    @Override
    public String toString() {
        return type + " " + name + " " + range;
    }
}
