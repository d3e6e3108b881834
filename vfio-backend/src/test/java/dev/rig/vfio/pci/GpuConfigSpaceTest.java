package dev.rig.vfio.pci;

import dev.rig.kvm.pci.PciBar;

import dev.rig.vfio.pci.PciFixtures.ArrayConfigSource;
import dev.rig.vfio.pci.PciFixtures.Recorder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The synthetic NVIDIA GPU: 64-bit BAR pairs, an I/O BAR, the ROM, MSI-X, hiding capabilities. */
class GpuConfigSpaceTest {
    private final ArrayConfigSource device = new ArrayConfigSource(PciFixtures.nvidiaGpuConfig());
    private final VirtualConfigSpace config = PciFixtures.gpu(device, true);
    private final Recorder events = new Recorder();

    {
        config.addListener(events);
    }

    @Test
    void sizingProbesReturnEachBarsMask() {
        int[][] expected = {  // register, mask read back after writing all ones
                {0x10, 0xff000000},  // 16 MiB, 32-bit
                {0x14, 0xf000000c}, {0x18, 0xffffffff},  // 256 MiB 64-bit prefetchable
                {0x1c, 0xfe00000c}, {0x20, 0xffffffff},  // 32 MiB 64-bit prefetchable
                {0x24, 0xffffff81},  // 128-byte I/O
        };
        for (int[] e : expected) {
            config.write(e[0], 4, 0xffffffff);
            assertEquals(e[1], config.read(e[0], 4), String.format("BAR register 0x%x", e[0]));
        }
        config.write(0x30, 4, PciRegs.ROM_ADDRESS_MASK);
        assertEquals(0xfff80000, config.read(0x30, 4), "512 KiB ROM, enable bit as written (0)");
        assertEquals(List.of(), events.events, "sizing is not a move");
    }

    @Test
    void barTypesComeFromTheDeviceAndSizesFromRegionInfo() {
        assertEquals(List.of(
                        new PciBar(0, 16 << 20, PciBar.Kind.MEM32, false),
                        new PciBar(1, 256L << 20, PciBar.Kind.MEM64, true),
                        new PciBar(3, 32 << 20, PciBar.Kind.MEM64, true),
                        new PciBar(5, 128, PciBar.Kind.IO, false)),
                config.bars());
        assertEquals(0x0000000c, config.read(0x14, 4), "flags stay, the host's address does not show");
    }

    @Test
    void a64BitBarMovesOnceWhenBothHalvesAreWritten() {
        config.write(0x14, 4, 0x30000000);
        assertEquals(List.of(), events.events, "half a 64-bit address is not a place yet");
        config.write(0x18, 4, 0x4);
        assertEquals(List.of("moved 1 0x0->0x430000000"), events.events);
        assertEquals(0x3000000cL, Integer.toUnsignedLong(config.read(0x14, 4)));
        assertEquals(0x430000000L, config.barAddress(1));
    }

    @Test
    void linuxStyleSizingOfA64BitBarWithDecodingOffReportsNothing() {
        config.write(0x14, 4, 0x30000000);
        config.write(0x18, 4, 0x4);
        events.events.clear();
        // __pci_read_base: save, write ~0, read, restore, for each half
        config.write(0x14, 4, 0xffffffff);
        config.write(0x14, 4, 0x30000000);
        config.write(0x18, 4, 0xffffffff);
        config.write(0x18, 4, 0x4);
        assertEquals(List.of(), events.events);
    }

    @Test
    void enablingDecodeCommitsA64BitBarWhoseUpperHalfWasNotRewritten() {
        config.write(0x1c, 4, 0xd2000000);
        config.write(0x04, 2, PciRegs.COMMAND_MEMORY);
        assertEquals(List.of("moved 3 0x0->0xd2000000", "command 0x0->0x2"), events.events, "the move comes first");
    }

    @Test
    void ioAndRomBarsMove() {
        config.write(0x24, 4, 0xc081);
        config.write(0x30, 4, 0xfe080001);
        assertEquals(List.of("moved 5 0x0->0xc080", "moved 6 0x0->0xfe080000"), events.events);
        assertTrue(config.romEnabled());
        assertEquals(0xfe080001, config.read(0x30, 4));
    }

    @Test
    void theRomCanBeHidden() {
        VirtualConfigSpace hidden = PciFixtures.gpu(new ArrayConfigSource(PciFixtures.nvidiaGpuConfig()), false);
        hidden.write(0x30, 4, 0xffffffff);
        assertEquals(0, hidden.read(0x30, 4));
        assertTrue(hidden.rom().isEmpty());
    }

    @Test
    void headerTypeIsSingleFunctionAndTheChainIsTheDevices() {
        assertEquals(0x00, config.read(0x0e, 1), "function 0 of a multi-function GPU is shown alone");
        assertEquals(List.of(0x01, 0x05, 0x10, 0x09, 0x11), config.capabilities().stream().map(PciCapability::id).toList());
        assertEquals(List.of(0x60, 0x68, 0x78, 0xb4, 0xc8), ConfigWalk.offsets(config));
    }

    @Test
    void msixTableAndPbaAreLocatedFromTheCapability() {
        MsixLayout layout = config.msixLayout().orElseThrow();
        assertEquals(new MsixLayout(6, 0, 0xb90000, 0, 0xba0000), layout);
        assertEquals(96, layout.tableBytes());
        assertEquals(8, layout.pbaBytes());
    }

    @Test
    void msixEnableAndFunctionMaskAreEmulated() {
        config.write(0xca, 2, 0xffff);
        assertEquals(0xc005, config.read(0xca, 2), "table size stays read-only");
        assertEquals(List.of("msix true masked true"), events.events);
        config.write(0xca, 2, 0x8000);
        assertEquals("msix true masked false", events.events.getLast());
        assertTrue(config.msixEnabled());
        config.write(0xcc, 4, 0);
        assertEquals(0x00b90000, config.read(0xcc, 4), "table offset/BIR are read-only");
        assertTrue(device.writes.isEmpty(), "none of this reaches the device");
    }

    @Test
    void hidingACapabilityUnlinksItAndBlanksIt() {
        VirtualConfigSpace hidden = VirtualConfigSpace.builder(new ArrayConfigSource(PciFixtures.nvidiaGpuConfig()))
                .barSizes(PciFixtures.GPU_BAR_SIZES).hideCapability(PciRegs.CAP_ID_VNDR)
                .hideCapability(PciRegs.CAP_ID_PM).build();
        assertEquals(List.of(0x68, 0x78, 0xc8), ConfigWalk.offsets(hidden));
        assertEquals(0x68, hidden.read(0x34, 1));
        assertEquals(0, hidden.read(0xb4, 4), "the unlinked capability's bytes read 0");
        assertEquals(List.of(0x01, 0x09), hidden.hiddenCapabilities().stream().map(PciCapability::id).toList());
    }

    @Test
    void passThroughPartsReachTheDeviceAndExtendedConfigSpaceIsTheDevices() {
        config.write(0x80, 2, 0x2950);  // PCIe device control
        assertEquals(0x2950, PciFixtures.get(device.data, 0x80, 2));
        assertEquals(0x2950, config.read(0x80, 2));
        assertEquals(0x00010002, config.read(0x100, 4));
        config.write(0x104, 4, 0x1234);
        assertEquals(List.of(0x104), device.writes.subList(1, 2).stream().map(w -> w[0]).toList());
    }

    @Test
    void onlyEndpointsAndPowerOfTwoSizesAreAccepted() {
        byte[] bridge = PciFixtures.nvidiaGpuConfig();
        bridge[0x0e] = 0x01;
        assertThrows(IllegalArgumentException.class,
                () -> PciFixtures.gpu(new ArrayConfigSource(bridge), false));
        assertThrows(IllegalArgumentException.class, () -> VirtualConfigSpace.builder(
                new ArrayConfigSource(PciFixtures.nvidiaGpuConfig())).barSizes(3 << 20, 0, 0, 0, 0, 0).build());
    }
}
