package dev.rig.kvm.acpi;

import java.util.List;

/** The Extended System Description Table (ACPI 6.5 §5.2.8): 64-bit addresses of every table but the DSDT/FACS. */
public record Xsdt(List<Long> entries) {
    public static final int REVISION = 1;

    public Xsdt {
        entries = List.copyOf(entries);
    }

    public byte[] toBytes() {
        ByteWriter w = new ByteWriter();
        for (long e : entries) w.u64(e);
        return new Sdt("XSDT", REVISION, w.toByteArray()).toBytes();
    }

    public static int length(int entries) { return Sdt.HEADER_SIZE + 8 * entries; }
}
