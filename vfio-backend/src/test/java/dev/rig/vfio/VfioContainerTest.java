package dev.rig.vfio;

import dev.rig.sys.Errno;
import dev.rig.vfio.fake.FakeVfioHost;
import dev.rig.vfio.sys.VfioIoctls;
import dev.rig.vfio.sys.VfioStructs;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VfioContainerTest {
    private final FakeVfioHost host = VfioFixtures.host();

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "«" + p + "» missing from: " + message);
    }

    @Test
    void opensContainerGroupAndDeviceInTheKernelsOrder() {
        try (VfioContainer container = VfioContainer.open(host)) {
            container.group(3).device(VfioFixtures.EDU);
        }
        List<String> calls = host.calls();
        assertEquals(List.of("open /dev/vfio/vfio", "VFIO_GET_API_VERSION on container", "VFIO_CHECK_EXTENSION on container",
                "open /dev/vfio/3", "VFIO_GROUP_GET_STATUS on group 3", "VFIO_GROUP_SET_CONTAINER on group 3",
                "VFIO_SET_IOMMU on container",  // only now: the kernel refuses it before a group is attached
                "VFIO_GROUP_GET_DEVICE_FD on group 3", "VFIO_DEVICE_GET_INFO on device 0000:00:03.0"), calls.subList(0, 9));
        assertEquals(9, calls.stream().filter(c -> c.startsWith("VFIO_DEVICE_GET_REGION_INFO")).count(), "one per region");
        assertEquals(5, calls.stream().filter(c -> c.startsWith("VFIO_DEVICE_GET_IRQ_INFO")).count(), "one per IRQ index");
        assertEquals(List.of("close device 0000:00:03.0", "close group 3", "close container"), calls.subList(calls.size() - 3, calls.size()));
        assertTrue(host.openFds().isEmpty());
    }

    @Test
    void refusesAnotherApiVersionAndClosesTheContainer() {
        VfioException e = assertThrows(VfioException.class, () -> VfioContainer.open(host.apiVersion(1)));
        assertMentions(e.getMessage(), "/dev/vfio/vfio speaks VFIO API 1", "needs API 0");
        assertTrue(host.openFds().isEmpty());
    }

    @Test
    void refusesAKernelWithoutType1v2() {
        VfioException e = assertThrows(VfioException.class,
                () -> VfioContainer.open(host.withoutExtension(VfioIoctls.TYPE1V2_IOMMU)));
        assertMentions(e.getMessage(), "type1v2", "VFIO_CHECK_EXTENSION(3) = 0", "modprobe vfio_iommu_type1");
        assertTrue(host.openFds().isEmpty());
    }

    @Test
    void refusesANonViableGroupNamingItAndItsDevices() {
        FakeVfioHost h = new FakeVfioHost().group(22, false, List.of(VfioFixtures.GPU, VfioFixtures.GPU_AUDIO),
                VfioFixtures.gpu());
        try (VfioContainer container = VfioContainer.open(h)) {
            VfioException e = assertThrows(VfioException.class, () -> container.group(22));
            assertMentions(e.getMessage(), "VFIO group 22 is not viable", "0000:01:00.0, 0000:01:00.1",
                    "must be bound to vfio-pci or unbound", "/sys/kernel/iommu_groups/22");
            assertEquals(1, h.openFds().size(), "the group fd is closed again; the container stays usable");
            assertTrue(container.groups().isEmpty());
        }
    }

    @Test
    void aMissingGroupSaysHowToBindTheDevice() {
        try (VfioContainer container = VfioContainer.open(host)) {
            VfioException e = assertThrows(VfioException.class, () -> container.group(7));
            assertEquals(Errno.ENOENT, e.errno());
            assertMentions(e.getMessage(), "VFIO group 7", "open on /dev/vfio/7 failed: ENOENT", "driver_override",
                    "iommu_group");
        }
    }

    @Test
    void devicesOfOneGroupShareOneGroupObject() {
        try (VfioContainer container = VfioContainer.open(host)) {
            VfioGroup group = container.group(22);
            VfioDevice gpu = group.device(VfioFixtures.GPU);
            VfioDevice audio = container.group(22).device(VfioFixtures.GPU_AUDIO);
            assertSame(group, container.group(22));
            assertSame(gpu.group(), audio.group());
            assertEquals(List.of(gpu, audio), group.devices(), "by address");
            assertThrows(IllegalStateException.class, () -> group.device(VfioFixtures.GPU), "one owner per device");
        }
        assertEquals(1, host.calls().stream().filter(c -> c.equals("open /dev/vfio/22")).count());
        assertEquals(1, host.calls().stream().filter(c -> c.startsWith("VFIO_SET_IOMMU")).count());
    }

    @Test
    void aDeviceOutsideTheGroupIsNamedInTheError() {
        try (VfioContainer container = VfioContainer.open(host)) {
            VfioException e = assertThrows(VfioException.class, () -> container.group(3).device(VfioFixtures.GPU));
            assertMentions(e.getMessage(), "VFIO group 3", "VFIO_GROUP_GET_DEVICE_FD", "ENODEV", "0000:01:00.0");
        }
    }

    @Test
    void closingTheContainerUnmapsEveryMappingAndClosesEveryFd() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(0x30000, 4096);
            VfioContainer container = VfioContainer.open(host);
            VfioDevice gpu = container.group(22).device(VfioFixtures.GPU);
            container.group(22).device(VfioFixtures.GPU_AUDIO);
            container.group(3).device(VfioFixtures.EDU);
            container.mapDma(0, ram.asSlice(0, 0x10000), true, true);
            container.mapDma(0x100000, ram.asSlice(0x10000, 0x10000), true, false);
            container.mapDma(0x1_0000_0000L, ram.asSlice(0x20000, 0x10000), true, true);
            gpu.enableIrq(VfioStructs.PCI_MSIX_IRQ, 6);
            gpu.mapRegion(1, 0, 1 << 20);
            assertEquals(3, host.dmaMappings().size());
            assertEquals(1 + 2 + 3 + 6, host.openFds().size());

            container.close();
            List<String> calls = host.calls();
            int firstUnmap = calls.indexOf("VFIO_IOMMU_UNMAP_DMA on container");
            assertEquals(3, calls.stream().filter(c -> c.startsWith("VFIO_IOMMU_UNMAP_DMA")).count(), "each one explicitly");
            assertTrue(calls.indexOf("close device 0000:01:00.0") < firstUnmap, "devices stop first");
            assertTrue(firstUnmap < calls.indexOf("close group 22"), "mappings go while the IOMMU is still there");
            assertEquals("close container", calls.getLast());
            assertTrue(host.dmaMappings().isEmpty());
            assertTrue(host.openFds().isEmpty(), "open fds left: " + host.openFds());
            assertEquals(0, host.openMmaps());
            container.close();  // idempotent
        }
    }

    @Test
    void mapDmaSendsTheMappingAndUnmapDmaRemovesIt() {
        try (Arena arena = Arena.ofConfined(); VfioContainer container = VfioContainer.open(host)) {
            container.group(3);
            MemorySegment ram = arena.allocate(0x4000, 4096);
            DmaMapping m = container.mapDma(0x100000, ram, true, true);
            assertEquals(new DmaMapping(0x100000, ram.address(), 0x4000, true, true), m);
            assertEquals(Map.of(0x100000L, 0x4000L), host.dmaMappings());
            assertEquals(0x4000, container.mappedBytes());
            container.unmapDma(m);
            assertTrue(host.dmaMappings().isEmpty());
            assertTrue(container.dmaMappings().isEmpty());
            assertEquals(0x40201000L, container.iommuPageSizes());
        }
    }

    @Test
    void mapDmaRefusesWhatTheKernelWouldRefuseBeforeAsking() {
        try (Arena arena = Arena.ofConfined(); VfioContainer container = VfioContainer.open(host)) {
            MemorySegment ram = arena.allocate(0x4000, 4096);
            assertThrows(IllegalStateException.class, () -> container.mapDma(0, ram, true, true), "no group, no IOMMU");
            container.group(3);
            container.mapDma(0, ram, true, true);
            assertThrows(IllegalArgumentException.class, () -> container.mapDma(0x2000, ram, true, true), "overlap");
            assertThrows(IllegalArgumentException.class, () -> container.mapDma(0x10000, ram.asSlice(0, 0x100), true, true));
            assertThrows(IllegalArgumentException.class, () -> container.mapDma(0x10000, MemorySegment.ofArray(new byte[4096]), true, true));
            assertEquals(1, host.calls().stream().filter(c -> c.startsWith("VFIO_IOMMU_MAP_DMA")).count());
        }
    }

    @Test
    void enomemFromMapDmaExplainsTheMemlockLimit() {
        host.pinLimit(1 << 20).memlock(1 << 20, 1 << 20);
        try (Arena arena = Arena.ofConfined(); VfioContainer container = VfioContainer.open(host)) {
            container.group(3);
            MemorySegment ram = arena.allocate(2 << 20, 4096);
            VfioException e = assertThrows(VfioException.class, () -> container.mapDma(0, ram, true, true));
            assertEquals(Errno.ENOMEM, e.errno());
            assertMentions(e.getMessage(), "mapping IOVA 0x0+0x200000", "(2 MiB)", "ENOMEM", "RLIMIT_MEMLOCK is 1 MiB",
                    "0 bytes mapped already", "2 MiB needed", "ulimit -l 2048", "LimitMEMLOCK=2048K",
                    "/etc/security/limits.conf", "CAP_IPC_LOCK");
            assertTrue(container.dmaMappings().isEmpty());
        }
    }

    @Test
    void whenTheLastGroupClosesTheKernelDropsTheMappings() {
        try (Arena arena = Arena.ofConfined(); VfioContainer container = VfioContainer.open(host)) {
            VfioGroup group = container.group(3);
            container.mapDma(0, arena.allocate(0x1000, 4096), true, true);
            group.close();
            assertTrue(container.dmaMappings().isEmpty());
            assertTrue(host.dmaMappings().isEmpty());
            assertThrows(IllegalStateException.class, () -> container.mapDma(0, arena.allocate(0x1000, 4096), true, true));
            assertEquals(1, host.openFds().size(), "only the container is left open");
        }
    }
}
