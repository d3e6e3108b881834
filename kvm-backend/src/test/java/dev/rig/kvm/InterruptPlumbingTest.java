package dev.rig.kvm;

import dev.rig.kvm.testing.RequiresKvm;
import dev.rig.kvm.asm.Reg;
import dev.rig.kvm.asm.X86Assembler;
import dev.rig.kvm.devices.DebugExit;
import dev.rig.kvm.x86.LongMode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** irqchip, PIT, irqfd, GSI routes and ioeventfd on this machine's /dev/kvm. */
@RequiresKvm
class InterruptPlumbingTest {
    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void irqchipPitIrqfdsAndMsiRoutesRegisterAndAreReleased() throws IOException {
        long before = openFds();
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            vm.setTssAddress(0xf800_0000L);
            vm.setIdentityMapAddress(0xf800_3000L);
            Irqchip chip = vm.createIrqchip();
            vm.createPit();
            chip.setLine(4, true);
            chip.setLine(4, false);
            IrqFd com1 = chip.irqfd(4);
            com1.signal();
            IrqFd intx = chip.levelIrqfd(10);
            chip.routeMsi(24, 0xfee0_0000L, 0x41);
            chip.routeMsi(25, 0xfee0_0000L, 0x42);
            chip.unrouteMsi(24);
            assertEquals(List.of(25), List.copyOf(chip.msiRoutes().keySet()));
            assertThrows(IllegalArgumentException.class, () -> chip.routeMsi(5, 0xfee0_0000L, 0));
            assertThrows(IllegalStateException.class, vm::createIrqchip);
            intx.close();  // deregistered and closed now; com1 goes with the VM
            assertEquals(before + 3, openFds(), "kvm, vm, and com1's eventfd; intx's two are closed");
        }
        assertEquals(before, openFds());
    }

    @Test
    void guestWritesToAnIoeventfdAddressSignalItWithoutExiting() throws IOException {
        long doorbell = 0xd000_0000L;
        X86Assembler a = new X86Assembler().movImm64(Reg.RDI, doorbell).movImm32(Reg.RAX, 1);
        for (int i = 0; i < 3; i++) a.store(Reg.RDI, 0, Reg.RAX, false);
        a.store(Reg.RDI, 8, Reg.RAX, false);  // not the doorbell: exits as MMIO
        a.movImm32(Reg.RDX, DebugExit.PORT).outDxAl().hlt();
        long before = openFds();
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm();
             GuestMemory mem = GuestMemory.anonymous(List.of(new GuestMemory.Range(GuestAddress.of(0), 4 << 20)))) {
            vm.mapGuestMemory(mem, 0);
            IoEventFd io = vm.ioeventfd(doorbell, 4, false, null);
            LongMode.writeTables(mem);
            mem.write(GuestAddress.of(0x10_0000), a.assemble());
            Vcpu vcpu = vm.createVcpu(0);
            vcpu.setCpuid(kvm.supportedCpuid().forVcpu(0));
            LongMode.enter(vcpu, 0x10_0000, 0x8_0000, 0);
            VcpuExit first = vcpu.run();
            VcpuExit.MmioWrite w = assertInstanceOf(VcpuExit.MmioWrite.class, first, "only the other address exits");
            assertEquals(doorbell + 8, w.address());
            assertInstanceOf(VcpuExit.IoOut.class, vcpu.run());
            assertEquals(3, io.event().await(), "three doorbell writes, counted in the kernel");
        }
        assertEquals(before, openFds());
    }
}
