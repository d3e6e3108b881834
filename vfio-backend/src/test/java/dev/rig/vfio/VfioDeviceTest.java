package dev.rig.vfio;

import dev.rig.sys.Errno;
import dev.rig.vfio.fake.FakeVfioHost;
import dev.rig.kvm.pci.PciBar;
import dev.rig.vfio.pci.VirtualConfigSpace;
import dev.rig.vfio.sys.SysFd;
import dev.rig.vfio.sys.VfioStructs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VfioDeviceTest {
    private final FakeVfioHost host = VfioFixtures.host();
    private final VfioContainer container = VfioContainer.open(host);
    private final VfioDevice edu = container.group(3).device(VfioFixtures.EDU);
    private final VfioDevice gpu = container.group(22).device(VfioFixtures.GPU);

    @AfterEach
    void close() {
        container.close();
        assertTrue(host.openFds().isEmpty());
        assertEquals(0, host.openMmaps());
    }

    /** struct vfio_irq_set as vfio.h lays it out: five little-endian __u32, then the data. */
    private static byte[] irqSet(int flags, int index, int start, int count, int... eventfds) {
        ByteBuffer b = ByteBuffer.allocate(20 + 4 * eventfds.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(20 + 4 * eventfds.length).putInt(flags).putInt(index).putInt(start).putInt(count);
        for (int fd : eventfds) b.putInt(fd);
        return b.array();
    }

    @Test
    void infoRegionsAndIrqsAreReadAtOpen() {
        assertEquals(new VfioDeviceInfo(2, 9, 5), edu.info());
        assertFalse(edu.info().supportsReset());
        assertTrue(edu.info().isPci());
        VfioRegionInfo bar0 = edu.region(0);
        assertEquals(new VfioRegionInfo(0, 7, 1 << 20, 0, null, null, false), bar0);
        assertEquals(List.of(new VfioRegionInfo.Area(0, 1 << 20)), bar0.mmapAreas());
        assertEquals(VfioStructs.pciRegionOffset(7), edu.region(7).offset());
        assertFalse(edu.region(8).implemented(), "VGA: the kernel answers EINVAL, which means absent");
        assertEquals(new VfioIrqInfo(0, 7, 1), edu.irq(0));
        assertTrue(edu.irq(0).automasked());
        assertTrue(edu.irq(1).noResize());
        assertEquals(0, edu.irq(2).count(), "edu has no MSI-X");
    }

    @Test
    void theRegionCapabilityChainIsParsed() {
        VfioRegionInfo bar0 = gpu.region(0);
        assertEquals(List.of(new VfioRegionInfo.Area(0, 0xb90000), new VfioRegionInfo.Area(0xb91000, 0xf000),
                new VfioRegionInfo.Area(0xba1000, (16 << 20) - 0xba1000)), bar0.sparseAreas());
        assertFalse(bar0.msixMappable());
        assertTrue(gpu.region(3).msixMappable());
        assertNull(gpu.region(3).sparseAreas());
        VfioRegionInfo special = gpu.region(9);
        assertEquals(new VfioRegionInfo.Type(0x800010de, 1), special.type(), "a chain of two: sparse, then type");
        assertEquals(List.of(new VfioRegionInfo.Area(0x1000, 0x1000)), special.mmapAreas());
        long retries = host.calls().stream().filter(c -> c.equals("VFIO_DEVICE_GET_REGION_INFO on device " + VfioFixtures.GPU)).count();
        assertEquals(10 + 3, retries, "regions with capabilities are asked again with the argsz the kernel wants");
    }

    @Test
    void setIrqsArgumentsAreExactlyWhatVfioHExpects() {
        int efd = edu.enableIrq(VfioStructs.PCI_MSI_IRQ, 1).getFirst().fd();
        edu.unmaskIrq(VfioStructs.PCI_INTX_IRQ, 0, 1);
        edu.maskIrq(VfioStructs.PCI_INTX_IRQ, 0, 1);
        edu.disableIrq(VfioStructs.PCI_MSI_IRQ);
        List<byte[]> args = host.irqSetArguments();
        assertArrayEquals(irqSet(0x24, 1, 0, 1, efd), args.get(0), "DATA_EVENTFD | ACTION_TRIGGER, MSI, vector 0");
        assertArrayEquals(irqSet(0x11, 0, 0, 1), args.get(1), "DATA_NONE | ACTION_UNMASK, INTx");
        assertArrayEquals(irqSet(0x09, 0, 0, 1), args.get(2), "DATA_NONE | ACTION_MASK, INTx");
        assertArrayEquals(irqSet(0x21, 1, 0, 0), args.get(3), "DATA_NONE | ACTION_TRIGGER, count 0: disable");
    }

    @Test
    void deviceOwnedEventfdsAreInstalledAndClosedWithTheIndex() {
        int before = host.openFds().size();
        List<SysFd> fds = gpu.enableIrq(VfioStructs.PCI_MSIX_IRQ, 6);
        assertEquals(before + 6, host.openFds().size());
        assertEquals(6, host.device(VfioFixtures.GPU).triggers(VfioStructs.PCI_MSIX_IRQ).size());
        assertEquals(fds.get(5).fd(), host.device(VfioFixtures.GPU).triggers(VfioStructs.PCI_MSIX_IRQ).get(5));
        gpu.disableIrq(VfioStructs.PCI_MSIX_IRQ);
        assertEquals(before, host.openFds().size());
        assertTrue(fds.stream().allMatch(SysFd::isClosed));
        assertEquals(Map.of(), host.device(VfioFixtures.GPU).triggers(VfioStructs.PCI_MSIX_IRQ));
    }

    @Test
    void callerEventfdsCanBeAssignedAndDeassignedSparsely() {
        int a = host.eventfd(0, 0), b = host.eventfd(0, 0);
        gpu.setIrqEventfds(VfioStructs.PCI_MSIX_IRQ, 2, a, -1, b);
        assertEquals(Map.of(2, a, 4, b), host.device(VfioFixtures.GPU).triggers(VfioStructs.PCI_MSIX_IRQ));
        assertArrayEquals(irqSet(0x24, 2, 2, 3, a, -1, b), host.irqSetArguments().getLast());
        host.close(a);
        host.close(b);
    }

    @Test
    void vectorsOutsideTheIndexAreRefusedBeforeTheKernelSeesThem() {
        assertThrows(IllegalArgumentException.class, () -> edu.enableIrq(VfioStructs.PCI_MSIX_IRQ, 1), "edu has 0 MSI-X");
        assertThrows(IllegalArgumentException.class, () -> gpu.setIrqEventfds(VfioStructs.PCI_MSIX_IRQ, 5, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> gpu.irq(5));
        assertTrue(host.irqSetArguments().isEmpty());
    }

    @Test
    void resetIsSkippedWhenTheDeviceHasNoResetAndDoneWhenItHas() {
        assertFalse(edu.reset());
        assertTrue(host.calls().stream().noneMatch(c -> c.startsWith("VFIO_DEVICE_RESET")));
        assertTrue(gpu.reset());
        assertEquals(1, host.device(VfioFixtures.GPU).resets());
    }

    @Test
    void errorsNameTheDeviceTheIoctlAndErrno() {
        host.failNext("VFIO_DEVICE_SET_IRQS", Errno.EINVAL);
        VfioException e = assertThrows(VfioException.class, () -> edu.maskIrq(0, 0, 1));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().startsWith("VFIO device 0000:00:03.0: ioctl VFIO_DEVICE_SET_IRQS on 0000:00:03.0 "
                + "failed: EINVAL (Invalid argument)"), e.getMessage());
        host.failNext("VFIO_DEVICE_RESET", Errno.EIO);
        VfioException r = assertThrows(VfioException.class, gpu::reset);
        assertTrue(r.getMessage().contains("VFIO_DEVICE_RESET") && r.getMessage().contains("EIO"), r.getMessage());
    }

    @Test
    void configSpaceIsReadAndWrittenAtTheConfigRegionsOffset() {
        assertEquals(0x11e81234, edu.readConfig(0x00, 4));
        assertEquals(0x10, edu.readConfig(0x08, 1));
        assertEquals(0x0005, edu.readConfig(0x40, 2));
        edu.writeConfig(0x04, 2, 0x0006);
        assertEquals(0x0006, edu.readConfig(0x04, 2) & 0x7, "the fake keeps what hardware would");
        assertThrows(IllegalArgumentException.class, () -> edu.readConfig(0x41, 2));
        assertThrows(IllegalArgumentException.class, () -> edu.readConfig(0x100, 4), "edu's config region is 256 bytes");
    }

    @Test
    void mmapHonoursSparseAreasAndSharesMemoryWithRegionAccess() {
        MemorySegment low = gpu.mapRegion(0, 0, 0xb90000);
        low.set(ValueLayout.JAVA_INT, 0x100, 0xcafef00d);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4);
            gpu.readRegion(0, 0x100, buf);
            assertEquals(0xcafef00d, buf.get(ValueLayout.JAVA_INT, 0));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gpu.mapRegion(0, 0, 16 << 20));
        assertTrue(e.getMessage().contains("not in an mmap-able area"), e.getMessage());
        gpu.mapRegion(3, 0, 32 << 20);  // MSI-X mappable: the whole BAR
        assertThrows(IllegalArgumentException.class, () -> gpu.mapRegion(5, 0, 4096), "the I/O BAR cannot be mapped");
        assertEquals(2, host.openMmaps());
        gpu.close();
        assertEquals(0, host.openMmaps(), "closing the device unmaps its regions");
        assertFalse(low.scope().isAlive());
    }

    @Test
    void virtualConfigSpaceTakesBarSizesFromRegions() {
        VirtualConfigSpace config = gpu.virtualConfigSpace(true).build();
        assertEquals(List.of(0, 1, 3, 5), config.bars().stream().map(PciBar::index).toList());
        assertEquals(256L << 20, config.bars().get(1).size());
        assertEquals(512 << 10, config.rom().orElseThrow().size());
        assertEquals(0x10de, config.vendorId());
        config.write(0x04, 2, 0x0002);
        assertEquals(0x0002, gpu.readConfig(0x04, 2) & 0x7, "written through to the device's config region");
    }

    @Test
    void aMalformedCapabilityChainIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(48, 8);
            VfioStructs.RegionInfo.ARGSZ.set(info, 48);
            VfioStructs.RegionInfo.FLAGS.set(info, VfioStructs.RegionInfo.FLAG_CAPS);
            VfioStructs.RegionInfo.CAP_OFFSET.set(info, 32);
            VfioStructs.CapHeader.ID.set(info.asSlice(32), 3);
            VfioStructs.CapHeader.NEXT.set(info.asSlice(32), 32);  // points at itself
            VfioException e = assertThrows(VfioException.class, () -> RegionInfoReader.parse("test region", 0, info));
            assertTrue(e.getMessage().contains("malformed capability chain"), e.getMessage());
        }
    }
}
