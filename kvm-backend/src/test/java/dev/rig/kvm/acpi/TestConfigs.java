package dev.rig.kvm.acpi;

import dev.rig.kvm.acpi.AcpiConfig.IntxRoute;
import dev.rig.kvm.acpi.AcpiConfig.IoWindow;
import dev.rig.kvm.acpi.AcpiConfig.PciSegment;

import java.util.List;

/** A 2-vCPU PC with two PCI segments, shared by the table tests. */
final class TestConfigs {
    static final long ECAM0 = 0xE000_0000L, ECAM1 = 0xE010_0000L;

    private TestConfigs() {}

    static AcpiConfig twoVcpusTwoSegments() {
        PciSegment seg0 = PciSegment.singleBus(0, ECAM0, 0xC000_0000L, 0x1000_0000L, 0x80_0000_0000L,
                0x10_0000_0000L, IoWindow.ABOVE_ISA,
                List.of(new IntxRoute(1, 0, 16), new IntxRoute(1, 1, 17), new IntxRoute(2, 0, 17)));
        PciSegment seg1 = PciSegment.singleBus(1, ECAM1, 0xD000_0000L, 0x1000_0000L, 0x90_0000_0000L,
                0x10_0000_0000L, null, List.of(new IntxRoute(0, 0, 20)));
        return AcpiConfig.pc(2, List.of(seg0, seg1));
    }

    static int u8(byte[] b, int at) { return b[at] & 0xff; }

    static int u16(byte[] b, int at) { return u8(b, at) | u8(b, at + 1) << 8; }

    static long u32(byte[] b, int at) { return (u16(b, at) | (long) u16(b, at + 2) << 16) & 0xffff_ffffL; }

    static long u64(byte[] b, int at) { return u32(b, at) | u32(b, at + 4) << 32; }

    static int sum(byte[] b, int from, int length) {
        int s = 0;
        for (int i = from; i < from + length; i++) s += b[i];
        return s & 0xff;
    }
}
