package dev.rig.kvm;

import dev.rig.kvm.testing.RequiresKvm;
import dev.rig.kvm.asm.Reg;
import dev.rig.kvm.asm.X86Assembler;
import dev.rig.kvm.devices.DebugExit;
import dev.rig.kvm.x86.LongMode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Coalesced port writes on this machine's /dev/kvm: queued without exits, replayed in order, then released. */
@RequiresKvm
class CoalescedIoTest {
    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void writesToACoalescedPortAreQueuedAndReplayedInOrderBeforeTheNextExit() throws IOException {
        X86Assembler a = new X86Assembler().movImm32(Reg.RDX, 0xcf8);
        for (int v : new int[] {0x8000_0000, 0x8000_0804, 0x8000_1010}) a.movImm32(Reg.RAX, v).outDxEax();
        a.movImm32(Reg.RDX, DebugExit.PORT).outDxAl().hlt();
        long before = openFds();
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm();
             GuestMemory mem = GuestMemory.anonymous(List.of(new GuestMemory.Range(GuestAddress.of(0), 4 << 20)))) {
            vm.mapGuestMemory(mem, 0);
            assertTrue(CoalescedIo.coalescePio(vm, 0xcf8, 4), "this KVM coalesces port writes");
            LongMode.writeTables(mem);
            mem.write(GuestAddress.of(0x10_0000), a.assemble());
            Vcpu vcpu = vm.createVcpu(0);
            vcpu.setCpuid(kvm.supportedCpuid().forVcpu(0));
            LongMode.enter(vcpu, 0x10_0000, 0x8_0000, 0);
            try (CoalescedIo.Ring ring = CoalescedIo.map(kvm, vcpu)) {
                VcpuExit.IoOut out = assertInstanceOf(VcpuExit.IoOut.class, vcpu.run(), "the 0xCF8 writes did not exit");
                assertEquals(DebugExit.PORT, out.port());
                List<String> replayed = new ArrayList<>();
                ring.drain(this, (pio, address, length, data) -> replayed.add(String.format("%s 0x%x/%d = 0x%x",
                        pio ? "port" : "mmio", address, length, data.get(ValueLayout.JAVA_INT_UNALIGNED, 0))));
                assertEquals(List.of("port 0xcf8/4 = 0x80000000", "port 0xcf8/4 = 0x80000804",
                        "port 0xcf8/4 = 0x80001010"), replayed);
                ring.drain(this, (pio, address, length, data) -> fail("the ring was drained already"));
            }
        }
        assertEquals(before, openFds());
    }
}
