package dev.rig.kvm.pci;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PciConfigSpaceTest {
    private final PciConfigSpace cs = new PciConfigSpace(0x1234, 0x5678, 0x018000, 3, 0x1af4, 0x1100);

    @Test
    void headerFieldsReadAsBuilt() {
        assertEquals(0x5678_1234, cs.read(PciConfigSpace.VENDOR_ID, 4));
        assertEquals(0x1234, cs.read(PciConfigSpace.VENDOR_ID, 2));
        assertEquals(0x56, cs.read(PciConfigSpace.DEVICE_ID + 1, 1));
        assertEquals(0x0180_0003, cs.read(PciConfigSpace.REVISION_ID, 4), "class code above revision");
        assertEquals(0, cs.read(PciConfigSpace.HEADER_TYPE, 1));
        assertEquals(0x1100_1af4, cs.read(PciConfigSpace.SUBSYSTEM_VENDOR_ID, 4));
    }

    @Test
    void readOnlyFieldsIgnoreWrites() {
        cs.write(PciConfigSpace.VENDOR_ID, 4, 0xdead_beef);
        cs.write(PciConfigSpace.REVISION_ID, 4, 0xffff_ffff);
        cs.write(PciConfigSpace.INTERRUPT_PIN, 1, 0x4);
        assertEquals(0x5678_1234, cs.read(PciConfigSpace.VENDOR_ID, 4));
        assertEquals(0x0180_0003, cs.read(PciConfigSpace.REVISION_ID, 4));
        assertEquals(0, cs.read(PciConfigSpace.INTERRUPT_PIN, 1));
        // Command: only its defined writable bits stick; interrupt line is fully writable.
        cs.write(PciConfigSpace.COMMAND, 2, 0xffff);
        assertEquals(0x0547, cs.read(PciConfigSpace.COMMAND, 2));
        cs.write(PciConfigSpace.INTERRUPT_LINE, 1, 0x0b);
        assertEquals(0x0b, cs.read(PciConfigSpace.INTERRUPT_LINE, 1));
    }

    @Test
    void outOfRangeReadsAllOnes() {
        assertEquals(-1, cs.read(4096, 4));
        assertEquals(0, cs.read(0x100, 4), "no extended capabilities: header 0 ends the list");
    }

    @Test
    void mem32BarSizingProbe() {
        cs.addBar(PciBar.mem32(0, 0x4000));
        int reg = PciConfigSpace.BAR0;
        cs.write(reg, 4, 0xffff_ffff);
        assertEquals(0xffff_c000, cs.read(reg, 4), "~(size-1), type bits 0 (32-bit, non-prefetchable)");
        cs.write(reg, 4, 0xe000_0000);
        assertEquals(0xe000_0000, cs.read(reg, 4));
        assertEquals(0xe000_0000L, cs.barAddress(0));
        cs.write(reg, 4, 0xe000_1234);
        assertEquals(0xe000_0000, cs.read(reg, 4), "address bits below the size are read-only zeros");
    }

    @Test
    void mem64PrefetchableBarSizingProbe() {
        cs.addBar(PciBar.mem64(2, 1L << 33, true));
        int lo = PciConfigSpace.BAR0 + 8, hi = lo + 4;
        cs.write(lo, 4, 0xffff_ffff);
        cs.write(hi, 4, 0xffff_ffff);
        assertEquals(0x0000_000c, cs.read(lo, 4), "64-bit prefetchable type bits; size above 4 GiB");
        assertEquals(0xffff_fffe, cs.read(hi, 4));
        assertThrows(IllegalStateException.class, () -> cs.addBar(PciBar.mem32(3, 0x1000)), "index 3 is BAR 2's upper half");
    }

    @Test
    void ioBarSizingProbe() {
        cs.addBar(PciBar.io(1, 0x20));
        cs.write(PciConfigSpace.BAR0 + 4, 4, 0xffff_ffff);
        assertEquals(0xffff_ffe1, cs.read(PciConfigSpace.BAR0 + 4, 4));
    }

    @Test
    void barMovesAreReportedOncePerAddressNotForProbes() {
        cs.addBar(PciBar.mem32(0, 0x1000));
        cs.addBar(PciBar.mem64(2, 0x4000, false));
        cs.setBarAddress(0, 0xc000_0000L);
        List<String> moves = new ArrayList<>();
        cs.setBarMoveListener((bar, from, to) -> moves.add(bar.index() + ":" + Long.toHexString(from) + "->" + Long.toHexString(to)));
        int b0 = PciConfigSpace.BAR0, b2 = PciConfigSpace.BAR0 + 8;
        // Linux's probe: save, write ones, read, restore: no move.
        int saved = cs.read(b0, 4);
        cs.write(b0, 4, -1);
        cs.read(b0, 4);
        cs.write(b0, 4, saved);
        assertEquals(List.of(), moves);
        cs.write(b0, 4, 0xd000_0000);
        // 64-bit: low half alone is no move; the high half completes it.
        cs.write(b2, 4, 0x8000_0000);
        assertEquals(List.of("0:c0000000->d0000000"), moves);
        cs.write(b2 + 4, 4, 0x1);
        assertEquals(List.of("0:c0000000->d0000000", "2:0->180000000"), moves);
        assertEquals(0x1_8000_0000L, cs.barAddress(2));
    }

    @Test
    void capabilityListIsWalkable() {
        int a = cs.addCapability(0x09, new byte[] {20, 1, 0, 0});
        int b = cs.addCapability(0x11, new byte[10]);
        assertEquals(PciConfigSpace.STATUS_CAPABILITIES_LIST, cs.read(PciConfigSpace.STATUS, 2) & PciConfigSpace.STATUS_CAPABILITIES_LIST);
        List<Integer> ids = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (int at = cs.read(PciConfigSpace.CAPABILITIES_POINTER, 1); at != 0; at = cs.read(at + 1, 1)) {
            assertEquals(0, at & 3, "dword aligned");
            offsets.add(at);
            ids.add(cs.read(at, 1));
        }
        assertEquals(List.of(0x09, 0x11), ids);
        assertEquals(List.of(a, b), offsets);
        assertEquals(20, cs.read(a + 2, 1), "body follows the header");
        cs.write(a + 2, 1, 0x55);
        assertEquals(20, cs.read(a + 2, 1), "capability bodies are read-only by default");
    }
}
