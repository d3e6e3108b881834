package dev.rig.vfio.pci;

import dev.rig.vfio.pci.PciFixtures.ArrayConfigSource;
import dev.rig.vfio.pci.PciFixtures.Recorder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The edu device's recorded config space through the virtualization. */
class EduConfigSpaceTest {
    private final ArrayConfigSource device = new ArrayConfigSource(PciFixtures.eduConfig());
    private final VirtualConfigSpace config = PciFixtures.edu(device);
    private final Recorder events = new Recorder();

    {
        config.addListener(events);
    }

    @Test
    void identityClassAndCapabilitiesAreTheDevicesOwn() {
        assertEquals(0x11e81234, config.read(0x00, 4));
        assertEquals(0x10, config.read(0x08, 1));
        assertEquals(0x00ff00, config.classCode());
        assertEquals(0x1af4, config.read(0x2c, 2));
        assertEquals(0x40, config.read(0x34, 1));
        assertEquals(List.of(new PciCapability(0x05, 0x40, 14)), config.capabilities());
        assertEquals(0x10, config.read(0x06, 2) & 0x10, "status says there is a capability list");
        assertEquals(0x01, config.read(0x3d, 1), "interrupt pin");
    }

    @Test
    void bar0SizingProbeReturnsTheOneMebibyteMaskAndPlacementIsHonoured() {
        assertEquals(0, config.read(0x10, 4), "unplaced until the guest writes it");
        config.write(0x10, 4, 0xffffffff);
        assertEquals(0xfff00000, config.read(0x10, 4));
        assertEquals(List.of(), events.events, "a sizing probe is not a move");
        config.write(0x10, 4, 0xc0012345);  // unaligned bits below the size are not writable
        assertEquals(0xc0000000, config.read(0x10, 4));
        assertEquals(List.of("moved 0 0x0->0xc0000000"), events.events);
        assertEquals(0xc0000000L, config.barAddress(0));
        config.write(0x10, 4, 0xffffffff);
        config.write(0x10, 4, 0xc0000000);
        assertEquals(1, events.events.size(), "probe and restore of the same place report nothing");
    }

    @Test
    void unimplementedBarsAndTheHiddenRomReadZeroAndIgnoreWrites() {
        for (int off = 0x14; off < 0x28; off += 4) {
            config.write(off, 4, 0xffffffff);
            assertEquals(0, config.read(off, 4), String.format("BAR at 0x%x", off));
        }
        config.write(0x30, 4, 0xfffff801);
        assertEquals(0, config.read(0x30, 4));
        assertTrue(config.rom().isEmpty());
        assertTrue(device.writes.isEmpty(), "none of it reaches the device");
    }

    @Test
    void msiIsEmulatedAndReportedOnEnable() {
        config.write(0x44, 4, 0xfee00000);
        config.write(0x48, 4, 0);
        config.write(0x4c, 2, 0x4021);
        assertEquals(List.of(), events.events, "nothing is reported while MSI is disabled");
        config.write(0x42, 2, 0x0071);  // enable, and ask for 8 vectors: edu can do 1
        assertEquals(0x0081, config.read(0x42, 2), "Multiple Message Enable clamps to what the device can do");
        assertEquals(List.of("msi true x1", "msi vector 0 address 0xfee00000 data 0x4021"), events.events);
        config.write(0x4c, 2, 0x4022);
        assertEquals("msi vector 0 address 0xfee00000 data 0x4022", events.events.getLast(), "reprogrammed while enabled");
        config.write(0x42, 2, 0);
        assertEquals("msi false x1", events.events.getLast());
        assertTrue(device.writes.isEmpty(), "MSI writes stay in the virtual copy (the backend uses SET_IRQS)");
        assertEquals(0x0080, PciFixtures.get(device.data, 0x42, 2), "the device's own MSI control is untouched");
    }

    @Test
    void commandDecodeBitsAreTrackedAndWrittenThrough() {
        assertFalse(config.memoryEnabled(), "the guest starts with decoding off");
        assertEquals(0x0100, config.read(0x04, 2), "SERR# as the device has it, decode bits from the virtual copy");
        config.write(0x04, 2, 0x0106);
        assertTrue(config.memoryEnabled());
        assertTrue(config.busMasterEnabled());
        assertEquals(List.of("command 0x0->0x6"), events.events);
        assertEquals(0x0106, PciFixtures.get(device.data, 0x04, 2), "the device decodes too, so BAR mmaps work");
    }

    @Test
    void aWriteAcrossEmulatedAndPassedThroughBytesSplitsAtTheEmulatedOnes() {
        config.write(0x0c, 4, 0x5a7f4010);  // cache line, latency, header type (emulated), BIST
        assertEquals(List.of("12/2/0x4010", "15/1/0x5a"),
                device.writes.stream().map(w -> w[0] + "/" + w[1] + "/0x" + Integer.toHexString(w[2])).toList());
        assertEquals(0x00, config.read(0x0e, 1), "header type unchanged");
    }

    @Test
    void interruptLineIsTheGuestsAndPinIsReadOnly() {
        config.write(0x3c, 2, 0x040a);
        assertEquals(0x010a, config.read(0x3c, 2));
        assertTrue(device.writes.isEmpty());
    }

    @Test
    void accessesMustBeAlignedAndInside() {
        assertThrows(IllegalArgumentException.class, () -> config.read(0x41, 2));
        assertThrows(IllegalArgumentException.class, () -> config.read(0x100, 4));
        assertThrows(IllegalArgumentException.class, () -> config.write(0x10, 3, 0));
    }
}
