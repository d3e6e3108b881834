package dev.rig.kvm.acpi;

import java.util.List;

/**
 * The PCI Express memory-mapped configuration table (PCI Firmware Spec 3.2 §4.1.2): one 16-byte ECAM
 * allocation per segment after 8 reserved bytes. Linux reaches segments other than 0 only through this.
 */
public record Mcfg(List<AcpiConfig.PciSegment> segments) {
    public static final int REVISION = 1, ENTRY_LENGTH = 16, ENTRIES_OFFSET = Sdt.HEADER_SIZE + 8;

    public Mcfg {
        segments = List.copyOf(segments);
    }

    public byte[] toBytes() {
        ByteWriter w = new ByteWriter().zeros(8);
        for (AcpiConfig.PciSegment s : segments)
            w.u64(s.ecamBase()).u16(s.id()).u8(s.startBus()).u8(s.endBus()).u32(0);
        return new Sdt("MCFG", REVISION, w.toByteArray()).toBytes();
    }
}
