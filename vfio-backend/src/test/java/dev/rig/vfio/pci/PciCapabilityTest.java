package dev.rig.vfio.pci;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PciCapabilityTest {
    @Test
    void walksTheGpuListWithKnownLengths() {
        byte[] c = PciFixtures.nvidiaGpuConfig();
        assertEquals(List.of(new PciCapability(0x01, 0x60, 8), new PciCapability(0x05, 0x68, 14),
                        new PciCapability(0x10, 0x78, 0x3c), new PciCapability(0x09, 0xb4, 0x14),
                        new PciCapability(0x11, 0xc8, 12)),
                PciCapability.walk(off -> c[off] & 0xff));
    }

    @Test
    void refusesLoopsAndLinksIntoTheHeader() {
        byte[] loop = PciFixtures.eduConfig();
        loop[0x41] = 0x40;
        assertThrows(IllegalStateException.class, () -> PciCapability.walk(off -> loop[off] & 0xff));
        byte[] header = PciFixtures.eduConfig();
        header[0x41] = 0x10;
        assertThrows(IllegalStateException.class, () -> PciCapability.walk(off -> header[off] & 0xff));
    }

    @Test
    void msiLengthFollowsAddressSizeAndMasking() {
        assertEquals(10, PciCapability.msiLength(0x0000));
        assertEquals(14, PciCapability.msiLength(0x0080));
        assertEquals(20, PciCapability.msiLength(0x0100));
        assertEquals(24, PciCapability.msiLength(0x0180));
    }
}
