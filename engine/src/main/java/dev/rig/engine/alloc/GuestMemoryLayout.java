package dev.rig.engine.alloc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The x86-64 guest physical memory map for a given RAM size, following Cloud Hypervisor's
 * {@code arch/src/x86_64/layout.rs} and memory manager (see {@code package-info.java} for a picture).
 *
 * <p>RAM fills {@code [0, 3 GiB)} and whatever is left goes above 4 GiB. The 1 GiB between holds
 * 640 MiB of 32-bit PCI device space, the 256 MiB ECAM window and fixed platform addresses. The
 * 64-bit PCI device space starts above the end of RAM, rounded up to 4 GiB so that every segment's
 * 64-bit aperture starts 4 GiB aligned, and ends below the 1 MiB platform device area that Cloud
 * Hypervisor keeps 64 KiB under the top of the guest physical address space.
 *
 * <p>The boot e820 table is derivable from {@link #regions()}: RAM regions become e820 RAM, except
 * that {@link #LEGACY_HOLE} must be cut out of low RAM (it is backed by guest memory but belongs
 * to the EBDA, VGA and BIOS areas); the ECAM window must be reported reserved.
 */
public final class GuestMemoryLayout {
    /** Top of low RAM and start of the 32-bit hole. */
    public static final long MEM_32BIT_RESERVED_START = 0xC000_0000L;
    /** 32-bit PCI device space. */
    public static final long MMIO32_START = MEM_32BIT_RESERVED_START;
    public static final long MMIO32_SIZE = 640 * Sizes.MiB;
    /** PCIe ECAM (MMCONFIG) window, right after the 32-bit device space. */
    public static final long ECAM_START = MMIO32_START + MMIO32_SIZE;
    public static final long ECAM_SIZE = 256 * Sizes.MiB;
    /** Each segment exposes bus 0 only: 32 devices x 8 functions x 4 KiB of config space. */
    public static final long ECAM_SIZE_PER_SEGMENT = 32 * 8 * 4 * Sizes.KiB;
    /** Cloud Hypervisor's limit on PCI segments. */
    public static final int MAX_PCI_SEGMENTS = 96;
    /** KVM_SET_TSS_ADDR needs three pages and KVM_SET_IDENTITY_MAP_ADDR one, right after ECAM. */
    public static final long KVM_TSS_START = ECAM_START + ECAM_SIZE;
    public static final long KVM_TSS_AND_IDENTITY_MAP_SIZE = 4 * 4 * Sizes.KiB;
    public static final long IOAPIC_START = 0xFEC0_0000L;
    public static final long IOAPIC_SIZE = 4 * Sizes.KiB;
    /** The local APIC page and the MSI address window 0xfee00000-0xfeefffff. */
    public static final long LAPIC_START = 0xFEE0_0000L;
    public static final long LAPIC_MSI_SIZE = Sizes.MiB;
    public static final long RAM_64BIT_START = 4 * Sizes.GiB;
    /** EBDA, VGA and BIOS areas inside low RAM that the e820 table must not report as RAM. */
    public static final AddressRange LEGACY_HOLE = AddressRange.between(0xA_0000L, 0x10_0000L);
    /** The 64-bit device area starts on this boundary, and so do the per-segment apertures. */
    public static final long MMIO64_ALIGNMENT = 4 * Sizes.GiB;
    /** ACPI platform devices live in 1 MiB at the top ... */
    public static final long PLATFORM_DEVICE_AREA_SIZE = Sizes.MiB;
    /** ... minus 64 KiB: Linux mishandles devices at the very end and Windows wants 64 KiB alignment. */
    public static final long TOP_GAP = 64 * Sizes.KiB;
    /** Guest RAM is mapped in pages, so its size must be a multiple of this. */
    public static final long RAM_GRANULE = 4 * Sizes.KiB;
    /** Typical of Intel server CPUs; pass the host's CPUID 0x80000008 value when it is known. */
    public static final int DEFAULT_PHYS_ADDR_BITS = 46;

    private final long ramSize;
    private final int physAddrBits;
    private final List<MemoryRegion> regions;
    private final AddressRange mmio64;

    private GuestMemoryLayout(long ramSize, int physAddrBits) {
        this.ramSize = ramSize;
        this.physAddrBits = physAddrBits;
        List<MemoryRegion> list = new ArrayList<>();
        long low = Math.min(ramSize, MEM_32BIT_RESERVED_START);
        list.add(new MemoryRegion("low RAM", MemoryRegion.Type.RAM, new AddressRange(0, low)));
        long high = ramSize - low;
        if (high > 0) {
            list.add(new MemoryRegion("high RAM", MemoryRegion.Type.RAM, new AddressRange(RAM_64BIT_START, high)));
        }
        list.add(new MemoryRegion("32-bit PCI device space", MemoryRegion.Type.MMIO32,
                new AddressRange(MMIO32_START, MMIO32_SIZE)));
        list.add(new MemoryRegion("PCI ECAM (MMCONFIG)", MemoryRegion.Type.ECAM,
                new AddressRange(ECAM_START, ECAM_SIZE)));
        list.add(new MemoryRegion("KVM TSS and identity map", MemoryRegion.Type.RESERVED,
                new AddressRange(KVM_TSS_START, KVM_TSS_AND_IDENTITY_MAP_SIZE)));
        list.add(new MemoryRegion("IOAPIC", MemoryRegion.Type.RESERVED, new AddressRange(IOAPIC_START, IOAPIC_SIZE)));
        list.add(new MemoryRegion("local APIC and MSI window", MemoryRegion.Type.RESERVED,
                new AddressRange(LAPIC_START, LAPIC_MSI_SIZE)));

        long ramEnd = high > 0 ? RAM_64BIT_START + high : RAM_64BIT_START;
        long platformStart = (1L << physAddrBits) - TOP_GAP - PLATFORM_DEVICE_AREA_SIZE;
        long mmio64Start = Sizes.alignUp(ramEnd, MMIO64_ALIGNMENT);
        if (mmio64Start < 0 || platformStart - mmio64Start < MMIO64_ALIGNMENT) {
            throw new AllocationException.InvalidRequest("guest memory layout",
                    "%s of RAM leaves no 64-bit PCI device space below the %d-bit guest physical address limit"
                            .formatted(Sizes.format(ramSize), physAddrBits));
        }
        this.mmio64 = AddressRange.between(mmio64Start, platformStart);
        list.add(new MemoryRegion("64-bit PCI device space", MemoryRegion.Type.MMIO64, mmio64));
        list.add(new MemoryRegion("platform device area", MemoryRegion.Type.RESERVED,
                new AddressRange(platformStart, PLATFORM_DEVICE_AREA_SIZE)));
        list.sort(Comparator.comparing(MemoryRegion::range));
        this.regions = List.copyOf(list);
    }

    /** The layout for {@code ramSize} bytes of RAM and {@value #DEFAULT_PHYS_ADDR_BITS}-bit guest physical addresses. */
    public static GuestMemoryLayout x86_64(long ramSize) {
        return x86_64(ramSize, DEFAULT_PHYS_ADDR_BITS);
    }

    /**
     * @param ramSize a positive multiple of 4 KiB, at least 1 MiB
     * @param physAddrBits guest physical address width, 36 to 52; must not exceed the host's
     */
    public static GuestMemoryLayout x86_64(long ramSize, int physAddrBits) {
        if (ramSize < Sizes.MiB || ramSize % RAM_GRANULE != 0) {
            throw new AllocationException.InvalidRequest("guest memory layout",
                    "RAM size must be a multiple of 4 KiB and at least 1 MiB, got %d bytes (%s)"
                            .formatted(ramSize, Sizes.format(ramSize)));
        }
        if (physAddrBits < 36 || physAddrBits > 52) {
            throw new AllocationException.InvalidRequest("guest memory layout",
                    "guest physical address width must be 36 to 52 bits, got " + physAddrBits);
        }
        return new GuestMemoryLayout(ramSize, physAddrBits);
    }

    public long ramSize() {
        return ramSize;
    }

    public int physAddrBits() {
        return physAddrBits;
    }

    /** Every region in address order. Gaps between them are unused address space. */
    public List<MemoryRegion> regions() {
        return regions;
    }

    public List<MemoryRegion> regions(MemoryRegion.Type type) {
        return regions.stream().filter(r -> r.type() == type).toList();
    }

    /** The RAM ranges in address order: low RAM, then high RAM when RAM exceeds 3 GiB. */
    public List<AddressRange> ram() {
        return regions(MemoryRegion.Type.RAM).stream().map(MemoryRegion::range).toList();
    }

    /** The first address above RAM. */
    public long ramEnd() {
        return ram().getLast().endExclusive();
    }

    public AddressRange mmio32() {
        return new AddressRange(MMIO32_START, MMIO32_SIZE);
    }

    public AddressRange mmio64() {
        return mmio64;
    }

    public AddressRange ecam() {
        return new AddressRange(ECAM_START, ECAM_SIZE);
    }

    /** The 1 MiB slice of the ECAM window that holds segment {@code segment}'s bus 0. */
    public AddressRange ecamForSegment(int segment) {
        if (segment < 0 || segment >= MAX_PCI_SEGMENTS) {
            throw new AllocationException.InvalidRequest("guest memory layout",
                    "PCI segment must be 0 to %d, got %d".formatted(MAX_PCI_SEGMENTS - 1, segment));
        }
        return new AddressRange(ECAM_START + segment * ECAM_SIZE_PER_SEGMENT, ECAM_SIZE_PER_SEGMENT);
    }

    /** The memory map as a table, one region per line, for {@code rig plan}. */
    public String describe() {
        int digits = Long.toHexString(regions.getLast().range().end()).length();
        StringBuilder out = new StringBuilder();
        for (MemoryRegion r : regions) {
            out.append(String.format(Locale.ROOT, "0x%0" + digits + "x-0x%0" + digits + "x %10s  %-8s %s%n",
                    r.range().start(), r.range().end(), Sizes.format(r.range().size()), r.type(), r.name()));
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "x86-64 layout, " + Sizes.format(ramSize) + " RAM, " + physAddrBits + "-bit guest physical addresses";
    }
}
