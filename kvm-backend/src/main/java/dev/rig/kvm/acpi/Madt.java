package dev.rig.kvm.acpi;

import java.util.List;

/**
 * The Multiple APIC Description Table (ACPI 6.5 §5.2.12): the local APIC of every vCPU, the I/O APIC and the
 * ISA interrupt overrides, with PCAT_COMPAT set (there are 8259s, which Linux masks).
 */
public record Madt(int vcpus, int ioApicId, long ioApicAddress, List<AcpiConfig.InterruptOverride> overrides) {
    public static final int REVISION = 5;
    public static final long LOCAL_APIC_ADDRESS = 0xFEE0_0000L;
    public static final int PCAT_COMPAT = 1;
    public static final int TYPE_LOCAL_APIC = 0, TYPE_IO_APIC = 1, TYPE_INTERRUPT_OVERRIDE = 2, TYPE_LOCAL_APIC_NMI = 4;
    public static final int LOCAL_APIC_LENGTH = 8, IO_APIC_LENGTH = 12, INTERRUPT_OVERRIDE_LENGTH = 10,
            LOCAL_APIC_NMI_LENGTH = 6;
    private static final int ENABLED = 1;

    public Madt {
        overrides = List.copyOf(overrides);
    }

    public byte[] toBytes() {
        ByteWriter w = new ByteWriter().u32(LOCAL_APIC_ADDRESS).u32(PCAT_COMPAT);
        for (int i = 0; i < vcpus; i++)   // ACPI processor UID = APIC id = vCPU index
            w.u8(TYPE_LOCAL_APIC).u8(LOCAL_APIC_LENGTH).u8(i).u8(i).u32(ENABLED);
        w.u8(TYPE_IO_APIC).u8(IO_APIC_LENGTH).u8(ioApicId).u8(0).u32(ioApicAddress).u32(0); // GSI base 0
        for (AcpiConfig.InterruptOverride o : overrides)
            w.u8(TYPE_INTERRUPT_OVERRIDE).u8(INTERRUPT_OVERRIDE_LENGTH).u8(0).u8(o.source()).u32(o.gsi()).u16(o.flags());
        // LINT1 of every processor (UID 0xff) is the NMI input, as on a PC (QEMU describes the same).
        w.u8(TYPE_LOCAL_APIC_NMI).u8(LOCAL_APIC_NMI_LENGTH).u8(0xff).u16(0).u8(1);
        return new Sdt("APIC", REVISION, w.toByteArray()).toBytes();
    }
}
