package dev.rig.kvm.virtio;

import dev.rig.kvm.testing.RequiresKvm;
import dev.rig.kvm.GuestAddress;
import dev.rig.kvm.GuestMemory;
import dev.rig.kvm.Irqchip;
import dev.rig.kvm.Kvm;
import dev.rig.kvm.Vcpu;
import dev.rig.kvm.VcpuExit;
import dev.rig.kvm.Vm;
import dev.rig.kvm.asm.Reg;
import dev.rig.kvm.asm.X86Assembler;
import dev.rig.kvm.devices.DebugExit;
import dev.rig.kvm.pci.MsixTable;
import dev.rig.kvm.x86.LongMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.rig.kvm.virtio.TestVirtioDriver.BAR;
import static dev.rig.kvm.virtio.TestVirtioDriver.DATA;
import static org.junit.jupiter.api.Assertions.*;

/**
 * virtio-blk's KVM wiring on this machine's /dev/kvm: queue doorbells as ioeventfds served by the disk's own
 * thread (a guest's notify write causes no exit), following BAR moves, and MSI-X vectors as GSI routes with
 * irqfds. Everything is released on close.
 */
@RequiresKvm
class VirtioOnKvmTest {
    private static final long CODE = 0x10_0000, STACK = 0x8_0000;
    private static final long FEATURES = Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(VirtioBlock.F_FLUSH);

    @TempDir Path dir;

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Guest code: a 16-bit write of queue index 0 to each address in turn (Linux's vp_notify), then port 0x501. */
    private static byte[] ringDoorbells(long... addresses) {
        X86Assembler a = new X86Assembler().movImm32(Reg.RAX, 0);
        for (long at : addresses) a.movImm64(Reg.RDI, at).bytes(new byte[] {0x66, (byte) 0x89, 0x07});  // mov [rdi], ax
        return a.movImm32(Reg.RDX, DebugExit.PORT).outDxAl().hlt().assemble();
    }

    /** Waits (bounded) until the device thread has put n requests in the used ring. */
    private static void awaitUsed(TestVirtioDriver driver, int n) throws InterruptedException {
        for (int i = 0; i < 1000 && driver.usedIdx() < n; i++) Thread.sleep(10);
        assertEquals(n, driver.usedIdx(), "requests completed by the doorbell thread");
    }

    @Test
    void aGuestsNotifyWriteIsServedByTheDiskThreadWithoutAnExitAndFollowsTheBar() throws Exception {
        Path image = dir.resolve("disk.img");
        byte[] sectors = new byte[4 * 512];
        for (int i = 0; i < sectors.length; i++) sectors[i] = (byte) (i / 512 + 0x40);
        Files.write(image, sectors);
        long before = openFds();
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm();
             GuestMemory mem = GuestMemory.anonymous(List.of(new GuestMemory.Range(GuestAddress.of(0), 4 << 20)));
             VirtioBlock block = VirtioBlock.open(image, true, "doorbell")) {
            vm.mapGuestMemory(mem, 0);
            VirtioPciDevice device = new VirtioPciDevice(block, mem, level -> { });
            long moved = BAR + 0x10_0000;
            try (VirtioDoorbells doorbells = new VirtioDoorbells(device, "virtio-blk-test", vm)) {
                assertEquals(-1, doorbells.address(0), "no BAR address yet, no doorbell");
                TestVirtioDriver driver = new TestVirtioDriver(mem, device, doorbells);
                driver.probe();   // programs BAR 0: the doorbell moves there
                long notify = BAR + VirtioPciDevice.NOTIFY_OFFSET;
                assertEquals(notify, doorbells.address(0));
                assertTrue(driver.negotiate(FEATURES));
                driver.setUpQueue(16, MsixTable.NO_VECTOR);
                driver.driverOk();
                driver.publish(driver.blkChain(VirtioBlock.T_IN, 2, DATA, 512, true));

                LongMode.writeTables(mem);
                mem.write(GuestAddress.of(CODE), ringDoorbells(notify, notify + 0x10_0000));
                Vcpu vcpu = vm.createVcpu(0);
                vcpu.setCpuid(kvm.supportedCpuid().forVcpu(0));
                LongMode.enter(vcpu, CODE, STACK, 0);
                // The first write rings the ioeventfd; the second (not a doorbell yet) exits as MMIO.
                VcpuExit.MmioWrite w = assertInstanceOf(VcpuExit.MmioWrite.class, vcpu.run());
                assertEquals(moved + VirtioPciDevice.NOTIFY_OFFSET, w.address());
                awaitUsed(driver, 1);
                assertEquals(VirtioBlock.S_OK, driver.blkStatus());
                assertEquals(0x42, driver.seg(DATA, 512).get(ValueLayout.JAVA_BYTE, 511), "sector 2 was read");
                assertEquals(0, device.mmioNotifications());
                assertTrue(doorbells.wakeups() >= 1);

                // The guest moves BAR 0: the doorbell follows, the old address is plain MMIO again.
                driver.cfgWrite(0x10, 4, moved);
                assertEquals(moved + VirtioPciDevice.NOTIFY_OFFSET, doorbells.address(0));
                driver.publish(driver.blkChain(VirtioBlock.T_IN, 3, DATA, 512, true));
                mem.write(GuestAddress.of(CODE), ringDoorbells(notify, moved + VirtioPciDevice.NOTIFY_OFFSET));
                LongMode.enter(vcpu, CODE, STACK, 0);
                w = assertInstanceOf(VcpuExit.MmioWrite.class, vcpu.run(), "the old doorbell address exits");
                assertEquals(notify, w.address());
                assertInstanceOf(VcpuExit.IoOut.class, vcpu.run(), "the new one does not");
                awaitUsed(driver, 2);
                assertEquals(0x43, driver.seg(DATA, 512).get(ValueLayout.JAVA_BYTE, 0), "sector 3 was read");
                assertEquals(0, device.mmioNotifications());
            }
        }
        assertEquals(before, openFds(), "ioeventfds, their eventfds and the threads' fds are all released");
    }

    @Test
    void msixVectorsGetAGsiRouteAndAnIrqfdOnceUnmaskedAndGiveThemBack() throws IOException {
        long before = openFds();
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            vm.setTssAddress(0xf800_0000L);
            vm.setIdentityMapAddress(0xf800_3000L);
            Irqchip chip = vm.createIrqchip();
            vm.createVcpu(0);   // APIC id 0: the messages below are addressed to it
            long baseFds = openFds();
            try (IrqfdMsiDelivery disk1 = new IrqfdMsiDelivery(chip, 2);
                 IrqfdMsiDelivery disk2 = new IrqfdMsiDelivery(chip, 2)) {
                disk1.vectorChanged(0, 0, 0, true);   // enabling MSI-X announces every vector, masked
                assertEquals(-1, disk1.gsi(0));
                assertEquals(Map.of(), chip.msiRoutes());

                disk1.vectorChanged(1, 0xfee0_0000L, 0x4041, false);
                disk2.vectorChanged(0, 0xfee0_0000L, 0x4051, false);
                assertEquals(24, disk1.gsi(1));
                assertEquals(25, disk2.gsi(0), "GSIs are the VM's, not the device's");
                assertEquals(Map.of(24, new Irqchip.MsiRoute(0xfee0_0000L, 0x4041),
                        25, new Irqchip.MsiRoute(0xfee0_0000L, 0x4051)), chip.msiRoutes());
                assertEquals(baseFds + 2, openFds(), "one irqfd per unmasked vector");

                disk1.vectorChanged(1, 0xfee0_0000L, 0x4042, false);   // the guest reprograms the vector
                assertEquals(new Irqchip.MsiRoute(0xfee0_0000L, 0x4042), chip.msiRoutes().get(24));
                disk1.deliver(1, 0xfee0_0000L, 0x4042);   // an eventfd write KVM turns into the MSI
                disk1.deliver(0, 0xfee0_0000L, 0x4043);   // no route: injected directly instead
                disk1.deliver(0, 0xfee0_3000L, 0x4043);   // to APIC id 3, which no vCPU has: dropped, not thrown
            }
            assertEquals(Map.of(), chip.msiRoutes(), "closing drops the routes");
            assertEquals(baseFds, openFds(), "and the irqfds");
            try (IrqfdMsiDelivery again = new IrqfdMsiDelivery(chip, 1)) {
                again.vectorChanged(0, 0xfee0_0000L, 0x4041, false);
                assertEquals(24, again.gsi(0), "released GSIs are handed out again");
            }
        }
        assertEquals(before, openFds());
    }
}
