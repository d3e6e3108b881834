package dev.rig.kvm;

import dev.rig.sys.IoctlRequest;
import dev.rig.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * KVM's coalesced I/O: guest writes to a registered port range (or MMIO range) that need no immediate answer go
 * into a ring in a page shared with user space instead of exiting; the VMM replays them, in order, before it
 * handles the next exit. The PCI config address port 0xCF8 is the classic case (QEMU coalesces it too): every
 * config access is an address write then a data access, and only the data access needs the VMM at once.
 * Writes that find the ring full exit as usual, after what the ring holds, so draining first keeps the order.
 */
public final class CoalescedIo {
    private static final int PAGE = 4096;
    // struct kvm_coalesced_mmio_zone { __u64 addr; __u32 size; union { __u32 pad; __u32 pio; }; }
    private static final StructLayout ZONE = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("addr"), ValueLayout.JAVA_INT.withName("size"),
            ValueLayout.JAVA_INT.withName("pio"));
    private static final IoctlRequest REGISTER = IoctlRequest.iow("KVM_REGISTER_COALESCED_MMIO", 0xAE, 0x67, ZONE);
    private static final int CAP_COALESCED_MMIO = 15, CAP_COALESCED_PIO = 162;
    // struct kvm_coalesced_mmio_ring { __u32 first, last; struct kvm_coalesced_mmio entries[]; } where an entry
    // is { __u64 phys_addr; __u32 len; __u32 pio; __u8 data[8]; }.
    private static final int FIRST = 0, LAST = 4, ENTRIES = 8, ENTRY = 24, MAX = (PAGE - ENTRIES) / ENTRY;
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private CoalescedIo() {}

    /** What replays a queued write. */
    public interface Sink {
        void write(boolean pio, long address, int length, MemorySegment data);
    }

    /**
     * Queues guest writes to ports [port, port+length) instead of exiting; false (and nothing changes) when this
     * KVM cannot, in which case the writes simply keep exiting.
     */
    public static boolean coalescePio(Vm vm, int port, int length) {
        if (ringPage(vm.kvm()) <= 0 || check(vm.kvm(), CAP_COALESCED_PIO) <= 0) return false;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment zone = a.allocate(ZONE);
            zone.set(ValueLayout.JAVA_LONG, 0, port);
            zone.set(ValueLayout.JAVA_INT, 8, length);
            zone.set(ValueLayout.JAVA_INT, 12, 1);
            vm.fd().ioctl(REGISTER, zone);
        }
        return true;
    }

    private static int check(Kvm kvm, int cap) { return kvm.fd().ioctl(KvmIoctls.CHECK_EXTENSION, cap); }

    /** The page offset of the ring in a vCPU's mapping (KVM_CAP_COALESCED_MMIO's value), or 0 when absent. */
    private static int ringPage(Kvm kvm) { return Math.max(0, check(kvm, CAP_COALESCED_MMIO)); }

    /** The VM's ring, mapped through vcpu's fd (one page shared by all vCPUs); null when KVM has none. */
    public static Ring map(Kvm kvm, Vcpu vcpu) {
        int page = ringPage(kvm);
        if (page <= 0) return null;
        long addr = Libc.mmap(0, PAGE, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, vcpu.fd().fd(),
                (long) page * PAGE, "coalesced I/O ring of " + vcpu);
        Arena arena = Arena.ofShared();
        return new Ring(MemorySegment.ofAddress(addr).reinterpret(PAGE, arena, s -> Libc.munmap(addr, PAGE)), arena);
    }

    /** One mapping of the ring. Draining is serialized by the lock the caller passes (one per VM). */
    public static final class Ring implements AutoCloseable {
        private final MemorySegment page;
        private final Arena arena;

        private Ring(MemorySegment page, Arena arena) {
            this.page = page;
            this.arena = arena;
        }

        /** Replays every queued write into sink, oldest first; cheap when the ring is empty. */
        public void drain(Object vmLock, Sink sink) {
            if ((int) INT.getAcquire(page, (long) LAST) == (int) INT.getAcquire(page, (long) FIRST)) return;
            synchronized (vmLock) {
                int first = page.get(ValueLayout.JAVA_INT, FIRST);
                while (first != (int) INT.getAcquire(page, (long) LAST)) {
                    long e = ENTRIES + (long) first * ENTRY;
                    int length = page.get(ValueLayout.JAVA_INT, e + 8);
                    sink.write(page.get(ValueLayout.JAVA_INT, e + 12) != 0, page.get(ValueLayout.JAVA_LONG, e), length,
                            page.asSlice(e + 16, Math.min(length, 8)));
                    first = (first + 1) % MAX;
                    INT.setRelease(page, (long) FIRST, first);   // the kernel may reuse the slot now
                }
            }
        }

        @Override
        public void close() { if (arena.scope().isAlive()) arena.close(); }
    }
}
