package dev.rig.kvm;

import dev.rig.kvm.testing.RequiresKvm;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs against this machine's /dev/kvm. */
class KvmTest {
    @Test
    void aMissingDeviceSaysHowToGetKvm() {
        KvmException e = assertThrows(KvmException.class, () -> Kvm.open(Path.of("/dev/no-kvm-here")));
        assertTrue(e.getMessage().startsWith("cannot open /dev/no-kvm-here: ENOENT"), e.getMessage());
        assertTrue(e.getMessage().contains("modprobe"), e.getMessage());
    }

    @Test
    void aDeviceThatIsNotKvmIsRefusedByItsIoctl() {
        // /dev/null opens but answers KVM_GET_API_VERSION with ENOTTY: the error names the ioctl.
        RuntimeException e = assertThrows(RuntimeException.class, () -> Kvm.open(Path.of("/dev/null")));
        assertTrue(e.getMessage().contains("KVM_GET_API_VERSION") && e.getMessage().contains("ENOTTY"), e.getMessage());
    }

    @Test
    @RequiresKvm
    void reportsCapabilitiesAndSupportedCpuid() {
        try (Kvm kvm = Kvm.open()) {
            assertTrue(kvm.checkExtension(KvmCapability.USER_MEMORY) > 0);
            assertTrue(kvm.maxVcpus() >= 1);
            Cpuid cpuid = kvm.supportedCpuid();
            assertTrue(cpuid.entryCount() > 0);
            assertNotNull(cpuid.leaf(0, 0), "leaf 0 (vendor) is always there");
            int[] leaf1 = cpuid.forVcpu(3).leaf(1, 0);
            assertEquals(3, leaf1[1] >>> 24, "APIC id in EBX[31:24]");
            assertTrue(leaf1[2] < 0, "hypervisor bit ECX[31] set");
        }
    }

    @Test
    @RequiresKvm
    void registersMemorySlotsAndRefusesOverlaps() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm();
             GuestMemory mem = GuestMemory.anonymous(List.of(
                     new GuestMemory.Range(GuestAddress.of(0), 2 << 20),
                     new GuestMemory.Range(GuestAddress.of(1L << 32), 4 << 20)))) {
            List<MemorySlot> slots = vm.mapGuestMemory(mem, 0);
            assertEquals(2, slots.size());
            assertEquals(GuestAddress.of(1L << 32), slots.get(1).guestAddress());
            assertEquals(mem.regions().get(1).host().address(), slots.get(1).hostAddress());

            try (Arena arena = Arena.ofConfined()) {
                var extra = arena.allocate(4096, 4096);
                KvmException e = assertThrows(KvmException.class,
                        () -> vm.setMemorySlot(5, GuestAddress.of(0x1000), extra, 0));
                assertTrue(e.getMessage().contains("overlaps slot 0"), e.getMessage());
            }
            vm.removeMemorySlot(1);
            assertEquals(1, vm.memorySlots().size());
        }
    }

    @Test
    void guestMemoryIsReadableAndWritableByGuestAddress() {
        try (GuestMemory mem = GuestMemory.anonymous(List.of(new GuestMemory.Range(GuestAddress.of(0), 1 << 20)))) {
            mem.writeLong(GuestAddress.of(0x1000), 0x1122334455667788L);
            assertEquals(0x1122334455667788L, mem.readLong(GuestAddress.of(0x1000)));
            assertThrows(IndexOutOfBoundsException.class, () -> mem.readLong(GuestAddress.of((1 << 20) - 4)));
        }
    }
}
