package dev.rig.kvm.virtio;

import dev.rig.kvm.GuestAddress;
import dev.rig.kvm.GuestMemory;
import dev.rig.kvm.devices.Bus;
import dev.rig.kvm.pci.MsiDelivery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.rig.kvm.virtio.TestVirtioDriver.*;
import static org.junit.jupiter.api.Assertions.*;

/** Transport paths besides the plain BAR accesses: BAR moves, the ioeventfd entry point, PCI_CFG, MSI-X routes. */
class VirtioPciTransportTest {
    private static final long FEATURES = Virtio.bit(Virtio.F_VERSION_1);

    @TempDir Path dir;
    private final GuestMemory memory = GuestMemory.anonymous(List.of(new GuestMemory.Range(GuestAddress.of(0), 1 << 20)));
    private final List<Boolean> intx = new ArrayList<>();
    private VirtioBlock block;
    private VirtioPciDevice device;
    private TestVirtioDriver driver;

    @AfterEach
    void close() throws IOException {
        block.close();
        memory.close();
    }

    private void start() throws IOException {
        Path image = dir.resolve("disk.img");
        Files.write(image, new byte[4096]);
        block = VirtioBlock.open(image, false, "x");
        device = new VirtioPciDevice(block, memory, intx::add);
        driver = new TestVirtioDriver(memory, device);
        driver.probe();
    }

    @Test
    void guestBarMoveReRegistersTheMmioRange() throws IOException {
        start();
        assertEquals(List.of(BAR), driver.mmio.mappings().stream().map(Bus.Mapping::base).toList());
        driver.cfgWrite(0x10, 4, 0xd000_0000L);
        List<Bus.Mapping> now = driver.mmio.mappings();
        assertEquals(1, now.size());
        assertEquals(0xd000_0000L, now.getFirst().base());
        assertEquals(VirtioPciDevice.BAR_SIZE, now.getFirst().length());
        assertEquals(0xd000_0000L + VirtioPciDevice.NOTIFY_OFFSET, device.notifyAddress(0));
        // A move onto another device's range is logged and leaves the BAR unmapped, without throwing.
        driver.mmio.register(0xc000_0000L, 0x1000, "other", new dev.rig.kvm.devices.BusDevice() {
            @Override public long read(long offset, int size) { return 0; }
            @Override public void write(long offset, int size, long value) {}
        });
        assertDoesNotThrow(() -> driver.cfgWrite(0x10, 4, 0xc000_0000L));
        assertEquals(List.of("other"), driver.mmio.mappings().stream().map(Bus.Mapping::id).toList());
    }

    @Test
    void notifyQueueIsTheIoeventfdEntryPoint() throws IOException {
        start();
        assertTrue(driver.negotiate(FEATURES));
        driver.setUpQueue(8, 0xffff);
        device.notifyQueue(0);   // before DRIVER_OK: ignored
        driver.driverOk();
        driver.blkChain(VirtioBlock.T_FLUSH, 0, 0, 0, false);
        // Publish without the MMIO write, then signal as an ioeventfd handler would.
        driver.seg(AVAIL + 4, 2).set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) 0);
        driver.seg(AVAIL + 2, 2).set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) 1);
        assertEquals(0, driver.usedIdx());
        device.notifyQueue(0);
        assertEquals(1, driver.usedIdx());
        assertEquals(VirtioBlock.S_OK, driver.blkStatus());
        device.notifyQueue(5);   // no such queue: ignored
    }

    @Test
    void pciCfgCapabilityReachesTheBar() throws IOException {
        start();
        int cap = 0;
        for (int at = (int) driver.cfgRead(0x34, 1); at != 0; at = (int) driver.cfgRead(at + 1, 1))
            if (driver.cfgRead(at, 1) == 0x09 && driver.cfgRead(at + 3, 1) == VirtioPciDevice.CAP_PCI_CFG) cap = at;
        assertNotEquals(0, cap);
        assertEquals(20, driver.cfgRead(cap + 2, 1), "cap_len");
        driver.cfgWrite(cap + 4, 1, 0);
        driver.cfgWrite(cap + 8, 4, VirtioPciDevice.COMMON_OFFSET + VirtioPciDevice.NUM_QUEUES);
        driver.cfgWrite(cap + 12, 4, 2);
        assertEquals(1, driver.cfgRead(cap + 16, 2), "num_queues through the window");
        driver.cfgWrite(cap + 8, 4, VirtioPciDevice.COMMON_OFFSET + VirtioPciDevice.DEVICE_STATUS);
        driver.cfgWrite(cap + 12, 4, 1);
        driver.cfgWrite(cap + 16, 1, Virtio.STATUS_ACKNOWLEDGE);
        assertEquals(Virtio.STATUS_ACKNOWLEDGE, device.status());
    }

    @Test
    void msixRouteUpdatesReachTheVmm() throws IOException {
        start();
        List<String> routes = new ArrayList<>();
        device.setMsiDelivery(new MsiDelivery() {
            @Override public void deliver(int vector, long address, int data) {}
            @Override public void vectorChanged(int vector, long address, int data, boolean masked) {
                routes.add(vector + ":" + Long.toHexString(address) + "/" + Integer.toHexString(data) + (masked ? " masked" : ""));
            }
        });
        long entry0 = VirtioPciDevice.MSIX_TABLE_OFFSET;
        driver.bar(entry0, 4, 0xfee0_1000L);   // programmed before enable: nothing to route yet
        assertEquals(List.of(), routes);
        driver.cfgWrite(driver.msixCap + 2, 2, 0x8000);
        assertEquals(List.of("0:fee01000/0 masked", "1:0/0 masked"), routes, "enabling announces every vector");
        routes.clear();
        driver.bar(entry0 + 8, 4, 0x31);
        driver.bar(entry0 + 12, 4, 0);
        assertEquals(List.of("0:fee01000/31 masked", "0:fee01000/31"), routes);
    }
}
