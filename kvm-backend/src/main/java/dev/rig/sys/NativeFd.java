package dev.rig.sys;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Owns one open file descriptor and closes it exactly once. Owning types (Kvm, Vm, Vcpu, ...) hold one each;
 * the description names the fd in error messages ("/dev/kvm", "vm", "vcpu 0").
 */
public final class NativeFd implements AutoCloseable {
    private final int fd;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();

    public NativeFd(int fd, String description) {
        if (fd < 0) throw new IllegalArgumentException("invalid fd " + fd + " for " + description);
        this.fd = fd;
        this.description = description;
    }

    public static NativeFd open(String path, int flags) {
        return new NativeFd(Libc.open(path, flags | Libc.O_CLOEXEC), path);
    }

    /** The raw number; fails once closed so a stale fd is never reused by accident. */
    public int fd() {
        if (closed.get()) throw new IllegalStateException(description + " is closed");
        return fd;
    }

    public String description() { return description; }

    public boolean isClosed() { return closed.get(); }

    public int ioctl(IoctlRequest request, java.lang.foreign.MemorySegment arg) {
        return Libc.ioctl(fd(), request, arg, description);
    }

    public int ioctl(IoctlRequest request, long arg) {
        return Libc.ioctl(fd(), request, arg, description);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) Libc.close(fd);
    }

    @Override
    public String toString() { return description + " (fd " + fd + ")"; }
}
