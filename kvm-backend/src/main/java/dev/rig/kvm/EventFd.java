package dev.rig.kvm;

import dev.rig.sys.Errno;
import dev.rig.sys.Libc;
import dev.rig.sys.NativeFd;
import dev.rig.sys.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** An eventfd: a counter the kernel and user space signal each other through (irqfd, ioeventfd, VFIO IRQs). */
public final class EventFd implements AutoCloseable {
    private final NativeFd fd;

    public EventFd(String description) {
        this.fd = new NativeFd(Libc.eventfd(0, Libc.EFD_CLOEXEC), description);
    }

    public int fd() { return fd.fd(); }

    /** Adds 1 to the counter (for an irqfd: injects the interrupt). */
    public void signal() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1);
            long n = Libc.write(fd.fd(), one, 8);
            if (n < 0) throw new SyscallException("write", fd.description(), (int) -n);
        }
    }

    /** Waits until the counter is non-zero, returns it and resets it to 0; -1 once the fd is closed. */
    public long await() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(ValueLayout.JAVA_LONG);
            while (true) {
                long n = Libc.read(fd.fd(), buf, 8);
                if (n == 8) return buf.get(ValueLayout.JAVA_LONG, 0);
                if (n == -Errno.EINTR) continue;
                if (n == -Errno.EBADF) return -1;
                throw new SyscallException("read", fd.description(), (int) -n);
            }
        } catch (IllegalStateException closed) {
            return -1;
        }
    }

    public boolean isClosed() { return fd.isClosed(); }

    @Override
    public void close() { fd.close(); }

    @Override
    public String toString() { return fd.toString(); }
}
