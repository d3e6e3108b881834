package dev.rig.kvm.acpi;

import java.util.ArrayList;
import java.util.List;

/**
 * Lays out RSDP, XSDT, FADT, FACS, MADT, MCFG and DSDT into one image for a guest physical base address.
 * Put it in the BIOS area (e.g. {@link #BIOS_AREA_BASE}): Linux without EFI scans 0xE0000-0xFFFFF for
 * "RSD PTR " on 16-byte boundaries, so the RSDP comes first at that 16-aligned base. (The VMM may also pass
 * the RSDP address in boot_params.acpi_rsdp_addr.) The VMM should mark the range reserved in its E820 map.
 */
public final class AcpiTables {
    public static final long BIOS_AREA_BASE = 0xE0000L, BIOS_AREA_END = 0x100000L;
    private static final int TABLE_ALIGNMENT = 8;

    /** The table bytes to copy to guest memory at baseAddress, and where each table landed. */
    public record Image(long baseAddress, byte[] bytes, long rsdpAddress, List<Placed> tables) {
        public Image {
            bytes = bytes.clone();
            tables = List.copyOf(tables);
        }

        @Override
        public byte[] bytes() { return bytes.clone(); }

        /** The guest physical address of the table with this signature ("RSD PTR " for the RSDP). */
        public long addressOf(String signature) {
            return tables.stream().filter(t -> t.signature().equals(signature)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no table " + signature)).address();
        }
    }

    /** One structure in the image: signature, guest physical address, length. */
    public record Placed(String signature, long address, int length) {}

    private AcpiTables() {}

    public static Image build(AcpiConfig config) { return build(config, BIOS_AREA_BASE); }

    public static Image build(AcpiConfig config, long baseAddress) {
        if ((baseAddress & 15) != 0) throw new IllegalArgumentException("the RSDP needs a 16-byte aligned base");
        Layout l = new Layout(baseAddress);
        long rsdp = l.reserve(Rsdp.SIZE, 16);
        boolean hasMcfg = !config.pciSegments().isEmpty();
        long xsdt = l.reserve(Xsdt.length(hasMcfg ? 3 : 2), TABLE_ALIGNMENT);
        long fadt = l.reserve(Fadt.LENGTH, TABLE_ALIGNMENT);
        long facs = l.reserve(Facs.LENGTH, Facs.ALIGNMENT);
        byte[] madtBytes = new Madt(config.vcpus(), config.ioApicId(), config.ioApicAddress(),
                config.interruptOverrides()).toBytes();
        long madt = l.reserve(madtBytes.length, TABLE_ALIGNMENT);
        byte[] mcfgBytes = hasMcfg ? new Mcfg(config.pciSegments()).toBytes() : null;
        long mcfg = hasMcfg ? l.reserve(mcfgBytes.length, TABLE_ALIGNMENT) : 0;
        byte[] dsdtBytes = Dsdt.toBytes(config);
        long dsdt = l.reserve(dsdtBytes.length, TABLE_ALIGNMENT);

        List<Long> xsdtEntries = new ArrayList<>(List.of(fadt, madt));
        if (hasMcfg) xsdtEntries.add(mcfg);
        int bootArch = Fadt.bootArch(config.i8042Present(), config.cmosRtcPresent());

        byte[] image = new byte[l.size()];
        List<Placed> placed = new ArrayList<>();
        l.put(image, placed, "RSD PTR ", rsdp, Rsdp.toBytes(xsdt));
        l.put(image, placed, "XSDT", xsdt, new Xsdt(xsdtEntries).toBytes());
        l.put(image, placed, "FACP", fadt, new Fadt(config.pm(), bootArch, facs, dsdt).toBytes());
        l.put(image, placed, "FACS", facs, Facs.toBytes());
        l.put(image, placed, "APIC", madt, madtBytes);
        if (hasMcfg) l.put(image, placed, "MCFG", mcfg, mcfgBytes);
        l.put(image, placed, "DSDT", dsdt, dsdtBytes);
        return new Image(baseAddress, image, rsdp, placed);
    }

    /** Bump allocation of guest addresses from the base. */
    private static final class Layout {
        private final long base;
        private long next;

        Layout(long base) { this.base = base; this.next = base; }

        long reserve(int length, int alignment) {
            long at = (next + alignment - 1) & -(long) alignment;
            next = at + length;
            return at;
        }

        int size() { return Math.toIntExact(next - base); }

        void put(byte[] image, List<Placed> placed, String signature, long address, byte[] bytes) {
            System.arraycopy(bytes, 0, image, Math.toIntExact(address - base), bytes.length);
            placed.add(new Placed(signature, address, bytes.length));
        }
    }

    /** Whether an image at this base fits below 1 MiB, where Linux's RSDP scan and the BIOS area end. */
    public static boolean fitsBiosArea(Image image) {
        return image.baseAddress() >= BIOS_AREA_BASE && image.baseAddress() + image.bytes.length <= BIOS_AREA_END;
    }
}
