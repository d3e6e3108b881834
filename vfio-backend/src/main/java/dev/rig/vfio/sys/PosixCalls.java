package dev.rig.vfio.sys;

import dev.rig.sys.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls VFIO needs beyond {@link dev.rig.sys.Libc}: pread/pwrite (region access at the offsets region
 * info reports) and getrlimit (RLIMIT_MEMLOCK, which bounds how much guest RAM VFIO may pin). errno is captured in
 * the same downcall, as Libc does, so nothing else on the thread can clobber it first.
 */
final class PosixCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private static final MethodHandle PREAD = downcall("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle PWRITE = downcall("pwrite",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle GETRLIMIT = downcall("getrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    private PosixCalls() {}

    private static MethodHandle downcall(String name, FunctionDescriptor fd) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return LINKER.downcallHandle(symbol, fd, CAPTURE_ERRNO);
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static RuntimeException unexpected(Throwable t) {
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    static long pread(int fd, MemorySegment buffer, long offset, String target) {
        try {
            MemorySegment capture = CAPTURE.get();
            long n = (long) PREAD.invokeExact(capture, fd, buffer, buffer.byteSize(), offset);
            if (n < 0) throw new SyscallException("pread", target + String.format(" at 0x%x", offset), errno(capture));
            return n;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long pwrite(int fd, MemorySegment buffer, long offset, String target) {
        try {
            MemorySegment capture = CAPTURE.get();
            long n = (long) PWRITE.invokeExact(capture, fd, buffer, buffer.byteSize(), offset);
            if (n < 0) throw new SyscallException("pwrite", target + String.format(" at 0x%x", offset), errno(capture));
            return n;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** struct rlimit { rlim_t rlim_cur, rlim_max; } with 64-bit rlim_t. */
    static VfioSys.Rlimit getrlimit(int resource) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlimit = arena.allocate(16, 8);
            MemorySegment capture = CAPTURE.get();
            int rc = (int) GETRLIMIT.invokeExact(capture, resource, rlimit);
            if (rc < 0) throw new SyscallException("getrlimit", "resource " + resource, errno(capture));
            return new VfioSys.Rlimit(rlimit.get(JAVA_LONG, 0), rlimit.get(JAVA_LONG, 8));
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
