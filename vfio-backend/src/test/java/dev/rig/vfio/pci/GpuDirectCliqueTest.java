package dev.rig.vfio.pci;

import dev.rig.vfio.pci.PciFixtures.ArrayConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GpuDirectCliqueTest {
    private static byte[] guestBytes(VirtualConfigSpace config, int offset, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) config.read(offset + i, 1);
        return b;
    }

    @Test
    void goesToD4WhenMsixHoldsC8AndEndsTheList() {
        VirtualConfigSpace config = PciFixtures.gpu(new ArrayConfigSource(PciFixtures.nvidiaGpuConfig()), false);
        int at = GpuDirectClique.add(config, 5);
        assertEquals(0xd4, at);
        assertEquals(List.of(0x60, 0x68, 0x78, 0xb4, 0xc8, 0xd4), ConfigWalk.offsets(config));
        // QEMU's layout: id 0x09, next, length 8, 'P' '2' 'P', clique << 3 (version 0), reserved 0.
        assertArrayEquals(new byte[] {0x09, 0x00, 0x08, 'P', '2', 'P', 5 << 3, 0x00}, guestBytes(config, 0xd4, 8));
        assertEquals(0xd4, config.read(0xc9, 1), "the former last capability links to it");
    }

    @Test
    void goesToC8WhenItIsFree() {
        VirtualConfigSpace config = VirtualConfigSpace.builder(new ArrayConfigSource(PciFixtures.nvidiaGpuConfig()))
                .barSizes(PciFixtures.GPU_BAR_SIZES).hideCapability(PciRegs.CAP_ID_MSIX).build();
        assertEquals(0xc8, GpuDirectClique.add(config, 15));
        assertArrayEquals(new byte[] {0x09, 0x00, 0x08, 'P', '2', 'P', (byte) 0x78, 0x00}, guestBytes(config, 0xc8, 8));
        assertEquals(List.of(0x60, 0x68, 0x78, 0xb4, 0xc8), ConfigWalk.offsets(config));
    }

    @Test
    void takesAnyFreeDwordWhenC8AndD4AreBothTaken() {
        byte[] c = PciFixtures.nvidiaGpuConfig();
        PciFixtures.put(c, 0xc9, 1, 0xd4);            // MSI-X links on to
        PciFixtures.put(c, 0xd4, 4, 0x000c0009);      // a 12-byte vendor capability at 0xd4
        VirtualConfigSpace config = PciFixtures.gpu(new ArrayConfigSource(c), false);
        int at = GpuDirectClique.add(config, 0);
        assertEquals(0x40, at, "the first free place");
        assertEquals(List.of(0x60, 0x68, 0x78, 0xb4, 0xc8, 0xd4, 0x40), ConfigWalk.offsets(config));
    }

    @Test
    void theCapabilityIsReadOnly() {
        VirtualConfigSpace config = PciFixtures.gpu(new ArrayConfigSource(PciFixtures.nvidiaGpuConfig()), false);
        GpuDirectClique.add(config, 3);
        config.write(0xd4, 4, 0);
        config.write(0xd8, 4, 0xffffffff);
        assertArrayEquals(new byte[] {0x09, 0x00, 0x08, 'P', '2', 'P', 3 << 3, 0x00}, guestBytes(config, 0xd4, 8));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 16, 255})
    void refusesACliqueOutsideZeroToFifteen(int clique) {
        VirtualConfigSpace config = PciFixtures.gpu(new ArrayConfigSource(PciFixtures.nvidiaGpuConfig()), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GpuDirectClique.add(config, clique));
        assertTrue(e.getMessage().contains("0..15"), e.getMessage());
    }

    @Test
    void refusesANonNvidiaDevice() {
        VirtualConfigSpace edu = PciFixtures.edu(new ArrayConfigSource(PciFixtures.eduConfig()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GpuDirectClique.add(edu, 0));
        assertTrue(e.getMessage().contains("NVIDIA") && e.getMessage().contains("1234:11e8"), e.getMessage());
    }

    @Test
    void refusesAnNvidiaDeviceThatIsNotDisplayClass() {
        byte[] c = PciFixtures.nvidiaGpuConfig();
        PciFixtures.put(c, 0x08, 4, 0x040300a1);  // 10de audio function: class 0x0403
        VirtualConfigSpace audio = PciFixtures.gpu(new ArrayConfigSource(c), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GpuDirectClique.add(audio, 0));
        assertTrue(e.getMessage().contains("display-class") && e.getMessage().contains("0x040300"), e.getMessage());
    }

    @Test
    void accepts3dControllerClass() {
        byte[] c = PciFixtures.nvidiaGpuConfig();
        PciFixtures.put(c, 0x08, 4, 0x030200a1);  // 3D controller, like an H100
        assertEquals(0xd4, GpuDirectClique.add(PciFixtures.gpu(new ArrayConfigSource(c), false), 1));
    }

    @Test
    void saysWhenThereIsNoRoom() {
        byte[] c = PciFixtures.nvidiaGpuConfig();
        PciFixtures.put(c, 0x34, 1, 0x40);
        PciFixtures.put(c, 0x40, 4, 0x0020_6009);  // vendor capability 0x40..0x5f, next 0x60
        PciFixtures.put(c, 0xc9, 1, 0xd4);
        PciFixtures.put(c, 0xd4, 4, 0x002c_0009);  // vendor capability 0xd4..0xff
        VirtualConfigSpace config = PciFixtures.gpu(new ArrayConfigSource(c), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GpuDirectClique.add(config, 0));
        assertTrue(e.getMessage().contains("no free 8-byte place"), e.getMessage());
    }
}
