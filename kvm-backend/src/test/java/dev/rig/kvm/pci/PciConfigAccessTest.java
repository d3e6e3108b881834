package dev.rig.kvm.pci;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Config mechanism #1 (0xCF8/0xCFC) and ECAM against a bus 0 holding a host bridge and one endpoint. */
class PciConfigAccessTest {
    private static final long CF8 = 0, CFC = 4;

    private final PciRoot root = PciRoot.withHostBridge();
    private final PciConfigIo io = new PciConfigIo(root);
    private final PciEcam ecam = new PciEcam(root);
    private final PciConfigSpace endpoint = new PciConfigSpace(0x1af4, 0x1042, 0x018000, 1, 0x1af4, 0x1100);

    PciConfigAccessTest() {
        endpoint.addBar(PciBar.mem32(0, 0x4000));
        endpoint.set8(PciConfigSpace.INTERRUPT_PIN, 1);
        endpoint.addCapability(0x11, new byte[10]);
        root.add(3, (EmulatedPciFunction) () -> endpoint);
    }

    private static int address(int bus, int dev, int fn, int reg) {
        return 0x8000_0000 | bus << 16 | dev << 11 | fn << 8 | reg;
    }

    private long cfgRead(int bus, int dev, int fn, int reg, int size) {
        io.write(CF8, 4, address(bus, dev, fn, reg & 0xfc));
        return io.read(CFC + (reg & 3), size);
    }

    @Test
    void type1DetectionProbeReadsBackTheAddress() {
        io.write(CF8, 4, 0x8000_0000L);
        assertEquals(0x8000_0000L, io.read(CF8, 4));
    }

    @Test
    void enumeratesBusZeroLikeLinux() {
        List<Integer> found = new ArrayList<>();
        for (int dev = 0; dev < 32; dev++) {
            long id = cfgRead(0, dev, 0, 0, 4);
            if (id == 0xffff_ffffL) continue;
            found.add(dev);
        }
        assertEquals(List.of(0, 3), found);
        assertEquals(0x0d57_8086L, cfgRead(0, 0, 0, 0, 4));
        assertEquals(0x0600_0000L, cfgRead(0, 0, 0, 0x08, 4) & 0xffff_ff00L, "host bridge class");
        assertEquals(0x1042_1af4L, cfgRead(0, 3, 0, 0, 4));
        assertEquals(0x0180_0001L, cfgRead(0, 3, 0, 0x08, 4));
        assertEquals(0L, cfgRead(0, 3, 0, 0x0e, 1), "header type 0, single function");
        assertEquals(0x40L, cfgRead(0, 3, 0, 0x34, 1), "capability pointer");
        assertEquals(0x11L, cfgRead(0, 3, 0, 0x40, 1));
        assertEquals(0x0100L, cfgRead(0, 3, 0, 0x3c, 2), "pin INTA, line unassigned");
        assertEquals(0xffff_ffffL, cfgRead(0, 3, 1, 0, 4), "other functions are absent");
        assertEquals(0xffff_ffffL, cfgRead(1, 0, 0, 0, 4), "other buses are absent");
    }

    @Test
    void byteWordAndDwordAccessesAtDataPortOffsets() {
        io.write(CF8, 4, address(0, 3, 0, 0));
        assertEquals(0xf4L, io.read(CFC, 1));
        assertEquals(0x1aL, io.read(CFC + 1, 1));
        assertEquals(0x42L, io.read(CFC + 2, 1));
        assertEquals(0x10L, io.read(CFC + 3, 1));
        assertEquals(0x1042L, io.read(CFC + 2, 2));
        // BAR sizing through the ports, then programming it.
        io.write(CF8, 4, address(0, 3, 0, 0x10));
        io.write(CFC, 4, 0xffff_ffffL);
        assertEquals(0xffff_c000L, io.read(CFC, 4));
        io.write(CFC, 4, 0xe000_0000L);
        assertEquals(0xe000_0000L, endpoint.barAddress(0));
        // A byte write to the interrupt line.
        io.write(CF8, 4, address(0, 3, 0, 0x3c));
        io.write(CFC, 1, 10);
        assertEquals(0x010aL, io.read(CFC, 2));
    }

    @Test
    void disabledAddressReadsAllOnesAndDropsWrites() {
        io.write(CF8, 4, address(0, 3, 0, 0x3c) & 0x7fff_ffff);
        assertEquals(0xffff_ffffL, io.read(CFC, 4));
        assertEquals(0xffL, io.read(CFC + 1, 1));
        io.write(CFC, 1, 7);
        assertEquals(0, endpoint.read(PciConfigSpace.INTERRUPT_LINE, 1));
    }

    @Test
    void ecamReachesTheSameRegisters() {
        assertEquals(0x0d57_8086L, ecam.read(0, 4));
        long dev3 = 3L << 15;
        assertEquals(0x1042_1af4L, ecam.read(dev3, 4));
        assertEquals(0x1af4L, ecam.read(dev3, 2));
        assertEquals(0x10L, ecam.read(dev3 + 3, 1));
        assertEquals(0xffff_ffffL, ecam.read(5L << 15, 4), "empty slot");
        assertEquals(0xffff_ffffL, ecam.read(dev3 | 1L << 12, 4), "function 1");
        assertEquals(0L, ecam.read(dev3 + 0x100, 4), "extended space is there, with no capabilities");
        ecam.write(dev3 + 0x10, 4, 0xffff_ffffL);
        assertEquals(0xffff_c000L, ecam.read(dev3 + 0x10, 4));
        ecam.write(dev3 + 0x3c, 1, 9);
        assertEquals(9, endpoint.read(PciConfigSpace.INTERRUPT_LINE, 1));
    }
}
