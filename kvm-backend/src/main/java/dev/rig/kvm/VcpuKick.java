package dev.rig.kvm;

import dev.rig.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Interrupts a vCPU thread inside KVM_RUN: a real-time signal whose handler does nothing makes the ioctl
 * return EINTR. The handler must be native code; it is a single RET instruction in an executable page,
 * so no Java upcall ever runs in signal context.
 */
final class VcpuKick {
    private static final long SIGACTION_SIZE = 152;  // glibc x86-64 struct sigaction
    private static final long SA_FLAGS_OFFSET = 136;
    private static volatile int signal;

    private VcpuKick() {}

    static synchronized int signal() {
        if (signal == 0) {
            long page = Libc.mmap(0, 4096, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS,
                    -1, 0, "vCPU kick handler");
            MemorySegment.ofAddress(page).reinterpret(1).set(ValueLayout.JAVA_BYTE, 0, (byte) 0xC3);  // ret
            Libc.mprotect(page, 4096, Libc.PROT_READ | Libc.PROT_EXEC);
            int sig = Libc.sigrtmin();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment act = arena.allocate(SIGACTION_SIZE, 8);
                act.set(ValueLayout.JAVA_LONG, 0, page);           // sa_handler
                act.set(ValueLayout.JAVA_INT, SA_FLAGS_OFFSET, 0); // no SA_RESTART: KVM_RUN must return
                Libc.sigaction(sig, act, MemorySegment.NULL);
            }
            signal = sig;
        }
        return signal;
    }
}
