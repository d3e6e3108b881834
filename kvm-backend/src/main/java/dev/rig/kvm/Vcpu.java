package dev.rig.kvm;

import dev.rig.sys.Errno;
import dev.rig.sys.Libc;
import dev.rig.sys.NativeFd;
import dev.rig.sys.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.rig.kvm.KvmStructs.RUN;
import static dev.rig.kvm.KvmStructs.RUN_EXIT_OFFSET;

/**
 * A vCPU fd and its mmapped kvm_run page. Created by {@link Vm#createVcpu}. {@link #run()} is called by one
 * thread at a time (the vCPU's own); {@link #kick()} may be called from any thread to make it return.
 */
public final class Vcpu implements AutoCloseable {
    // exit_reason values from include/uapi/linux/kvm.h
    static final int EXIT_IO = 2, EXIT_HLT = 5, EXIT_MMIO = 6, EXIT_SHUTDOWN = 8, EXIT_FAIL_ENTRY = 9,
            EXIT_INTR = 10, EXIT_INTERNAL_ERROR = 17, EXIT_SYSTEM_EVENT = 24;
    private static final long EXIT_REASON = KvmStructs.offset(RUN, "exit_reason");
    private static final long IMMEDIATE_EXIT = KvmStructs.offset(RUN, "immediate_exit");

    private final int id;
    private final NativeFd fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment run;
    private final Object threadLock = new Object();
    private long thread;  // pthread_t of the thread in run(), 0 when none: only signalled while it lives

    Vcpu(int id, NativeFd fd, int mmapSize) {
        this.id = id;
        this.fd = fd;
        long addr = Libc.mmap(0, mmapSize, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd.fd(), 0,
                "kvm_run of vcpu " + id);
        this.run = MemorySegment.ofAddress(addr).reinterpret(mmapSize, arena, s -> Libc.munmap(addr, mmapSize));
    }

    public int id() { return id; }

    NativeFd fd() { return fd; }

    /** Enters the guest until the next exit that needs user space. */
    public VcpuExit run() {
        int rc = Libc.ioctlRaw(fd.fd(), KvmIoctls.RUN.number(), 0L);
        if (rc < 0) {
            if (rc == -Errno.EINTR || rc == -Errno.EAGAIN) return new VcpuExit.Interrupted();
            throw new SyscallException("ioctl KVM_RUN", fd.description(), -rc);
        }
        return decodeExit();
    }

    private VcpuExit decodeExit() {
        int reason = run.get(ValueLayout.JAVA_INT, EXIT_REASON);
        long u = RUN_EXIT_OFFSET;
        return switch (reason) {
            case EXIT_IO -> {
                int direction = run.get(ValueLayout.JAVA_BYTE, u);
                int size = run.get(ValueLayout.JAVA_BYTE, u + 1);
                int port = Short.toUnsignedInt(run.get(ValueLayout.JAVA_SHORT, u + 2));
                int count = run.get(ValueLayout.JAVA_INT, u + 4);
                MemorySegment data = run.asSlice(run.get(ValueLayout.JAVA_LONG, u + 8), (long) size * count);
                yield direction == 0 ? new VcpuExit.IoIn(port, size, count, data)
                        : new VcpuExit.IoOut(port, size, count, data);
            }
            case EXIT_MMIO -> {
                long address = run.get(ValueLayout.JAVA_LONG, u);
                int len = run.get(ValueLayout.JAVA_INT, u + 16);
                MemorySegment data = run.asSlice(u + 8, len);
                yield run.get(ValueLayout.JAVA_BYTE, u + 20) != 0 ? new VcpuExit.MmioWrite(address, len, data)
                        : new VcpuExit.MmioRead(address, len, data);
            }
            case EXIT_HLT -> new VcpuExit.Halt();
            case EXIT_SHUTDOWN -> new VcpuExit.Shutdown();
            case EXIT_INTR -> new VcpuExit.Interrupted();
            case EXIT_FAIL_ENTRY -> new VcpuExit.FailEntry(run.get(ValueLayout.JAVA_LONG, u), run.get(ValueLayout.JAVA_INT, u + 8));
            case EXIT_INTERNAL_ERROR -> {
                int n = Math.min(16, run.get(ValueLayout.JAVA_INT, u + 4));
                long[] data = new long[n];
                for (int i = 0; i < n; i++) data[i] = run.get(ValueLayout.JAVA_LONG, u + 8 + 8L * i);
                yield new VcpuExit.InternalError(run.get(ValueLayout.JAVA_INT, u), data);
            }
            case EXIT_SYSTEM_EVENT -> new VcpuExit.SystemEvent(run.get(ValueLayout.JAVA_INT, u));
            default -> new VcpuExit.Other(reason);
        };
    }

    /** Marks the calling thread as this vCPU's runner so {@link #kick()} can interrupt it. */
    public void attachThread() {
        VcpuKick.signal();
        synchronized (threadLock) { thread = Libc.pthreadSelf(); }
    }

    public void detachThread() {
        synchronized (threadLock) { thread = 0; }
    }

    /**
     * Makes run() return Interrupted now or at its next entry: immediate_exit covers a thread between runs,
     * the signal one blocked inside KVM_RUN. Sticky until {@link #clearKick()}.
     */
    public void kick() {
        if (!arena.scope().isAlive()) return;
        run.set(ValueLayout.JAVA_BYTE, IMMEDIATE_EXIT, (byte) 1);
        synchronized (threadLock) {
            if (thread != 0) Libc.pthreadKill(thread, VcpuKick.signal());
        }
    }

    public void clearKick() { run.set(ValueLayout.JAVA_BYTE, IMMEDIATE_EXIT, (byte) 0); }

    public Registers registers() {
        Registers r = new Registers(Arena.ofAuto().allocate(KvmStructs.REGS));
        fd.ioctl(KvmIoctls.GET_REGS, r.segment);
        return r;
    }

    public void setRegisters(Registers r) { fd.ioctl(KvmIoctls.SET_REGS, r.segment); }

    public SpecialRegisters specialRegisters() {
        SpecialRegisters s = new SpecialRegisters(Arena.ofAuto().allocate(KvmStructs.SREGS));
        fd.ioctl(KvmIoctls.GET_SREGS, s.segment);
        return s;
    }

    public void setSpecialRegisters(SpecialRegisters s) { fd.ioctl(KvmIoctls.SET_SREGS, s.segment); }

    public void setCpuid(Cpuid cpuid) {
        try (Arena a = Arena.ofConfined()) {
            fd.ioctl(KvmIoctls.SET_CPUID2, cpuid.toNative(a));
        }
    }

    public boolean isClosed() { return fd.isClosed(); }

    @Override
    public void close() {
        if (fd.isClosed()) return;
        if (arena.scope().isAlive()) arena.close();
        fd.close();
    }

    @Override
    public String toString() { return "vcpu " + id; }
}
