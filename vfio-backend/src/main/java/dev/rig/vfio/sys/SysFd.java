package dev.rig.vfio.sys;

import dev.rig.sys.IoctlRequest;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One open fd owned by one object, closed exactly once through the {@link VfioSys} that opened it (so a fake sees
 * every close). Like {@link dev.rig.sys.NativeFd}, its description names it in errors: "/dev/vfio/22", "0000:01:00.0".
 */
public final class SysFd implements AutoCloseable {
    private final VfioSys sys;
    private final int fd;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();

    public SysFd(VfioSys sys, int fd, String description) {
        if (fd < 0) throw new IllegalArgumentException("invalid fd " + fd + " for " + description);
        this.sys = sys;
        this.fd = fd;
        this.description = description;
    }

    /** The raw number; fails once closed so a stale fd is never used by accident. */
    public int fd() {
        if (closed.get()) throw new IllegalStateException(description + " is closed");
        return fd;
    }

    public String description() { return description; }

    public boolean isClosed() { return closed.get(); }

    public int ioctl(IoctlRequest request, MemorySegment arg) {
        return sys.ioctl(fd(), request, arg, description);
    }

    public int ioctl(IoctlRequest request, long arg) {
        return sys.ioctl(fd(), request, arg, description);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) sys.close(fd);
    }

    @Override
    public String toString() { return description + " (fd " + fd + ")"; }
}
