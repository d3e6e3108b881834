package dev.rig.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few libc calls Rig needs, as FFM downcalls. Every call that can fail captures errno in the same call
 * (Linker.Option.captureCallState), so no other code on the thread can clobber it first.
 * Checked variants throw {@link SyscallException}; raw variants return -errno for hot paths (KVM_RUN).
 */
public final class Libc {
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CLOEXEC = 0x80000, O_NONBLOCK = 0x800;
    public static final int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    public static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    public static final int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    public static final long MAP_FAILED = -1L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    /** One capture buffer per thread: no allocation per call on the vCPU run path. */
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private static final MethodHandle OPEN = errnoCall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    // ioctl is variadic: the third argument is always passed, as a pointer or as an integer.
    private static final MethodHandle IOCTL_PTR = errnoCall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_LONG = errnoCall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MMAP = errnoCall("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = errnoCall("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle MPROTECT = errnoCall("mprotect",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle EVENTFD = errnoCall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = errnoCall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = errnoCall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle PREAD = errnoCall("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle PWRITE = errnoCall("pwrite",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle GETRLIMIT = errnoCall("getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SETPRIORITY = errnoCall("setpriority",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SIGACTION = errnoCall("sigaction",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle STRERROR = plainCall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle PTHREAD_SELF = plainCall("pthread_self", FunctionDescriptor.of(JAVA_LONG));
    // pthread_kill returns the error number instead of setting errno.
    private static final MethodHandle PTHREAD_KILL = plainCall("pthread_kill", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SIGRTMIN = plainCall("__libc_current_sigrtmin", FunctionDescriptor.of(JAVA_INT));

    private Libc() {}

    private static MethodHandle errnoCall(String name, FunctionDescriptor fd, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(symbol(name), fd, options);
    }

    private static MethodHandle plainCall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd);
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static RuntimeException unexpected(Throwable t) {
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    /** open(2); returns the fd or throws with the path named. */
    public static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = CAPTURE.get();
            int fd = (int) OPEN.invokeExact(capture, arena.allocateFrom(path), flags, 0);
            if (fd < 0) throw new SyscallException("open", path, errno(capture));
            return fd;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void close(int fd) {
        try {
            MemorySegment capture = CAPTURE.get();
            int rc = (int) CLOSE.invokeExact(capture, fd);
            if (rc < 0) throw new SyscallException("close", "fd " + fd, errno(capture));
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** ioctl with a pointer argument; returns the non-negative result or throws naming the request. */
    public static int ioctl(int fd, IoctlRequest request, MemorySegment arg, String target) {
        int rc = ioctlRaw(fd, request.number(), arg);
        if (rc < 0) throw new SyscallException("ioctl " + request.name(), target, -rc);
        return rc;
    }

    /** ioctl with an integer argument; returns the non-negative result or throws naming the request. */
    public static int ioctl(int fd, IoctlRequest request, long arg, String target) {
        int rc = ioctlRaw(fd, request.number(), arg);
        if (rc < 0) throw new SyscallException("ioctl " + request.name(), target, -rc);
        return rc;
    }

    /** ioctl returning the result, or -errno on failure; no exceptions, no allocation. */
    public static int ioctlRaw(int fd, long request, MemorySegment arg) {
        try {
            MemorySegment capture = CAPTURE.get();
            int rc = (int) IOCTL_PTR.invokeExact(capture, fd, request, arg);
            return rc < 0 ? -errno(capture) : rc;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** ioctl returning the result, or -errno on failure; no exceptions, no allocation. */
    public static int ioctlRaw(int fd, long request, long arg) {
        try {
            MemorySegment capture = CAPTURE.get();
            int rc = (int) IOCTL_LONG.invokeExact(capture, fd, request, arg);
            return rc < 0 ? -errno(capture) : rc;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** mmap(2); returns the address. */
    public static long mmap(long addr, long length, int prot, int flags, int fd, long offset, String what) {
        try {
            MemorySegment capture = CAPTURE.get();
            long p = (long) MMAP.invokeExact(capture, addr, length, prot, flags, fd, offset);
            if (p == MAP_FAILED) throw new SyscallException("mmap", what, errno(capture));
            return p;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void munmap(long addr, long length) {
        try {
            MemorySegment capture = CAPTURE.get();
            int rc = (int) MUNMAP.invokeExact(capture, addr, length);
            if (rc < 0) throw new SyscallException("munmap", String.format("0x%x+0x%x", addr, length), errno(capture));
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void mprotect(long addr, long length, int prot) {
        try {
            MemorySegment capture = CAPTURE.get();
            int rc = (int) MPROTECT.invokeExact(capture, addr, length, prot);
            if (rc < 0) throw new SyscallException("mprotect", String.format("0x%x+0x%x", addr, length), errno(capture));
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int eventfd(int initval, int flags) {
        try {
            MemorySegment capture = CAPTURE.get();
            int fd = (int) EVENTFD.invokeExact(capture, initval, flags);
            if (fd < 0) throw new SyscallException("eventfd", null, errno(capture));
            return fd;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** read(2); returns bytes read, or -errno. */
    public static long read(int fd, MemorySegment buf, long count) {
        try {
            MemorySegment capture = CAPTURE.get();
            long n = (long) READ.invokeExact(capture, fd, buf, count);
            return n < 0 ? -errno(capture) : n;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** write(2); returns bytes written, or -errno. */
    public static long write(int fd, MemorySegment buf, long count) {
        try {
            MemorySegment capture = CAPTURE.get();
            long n = (long) WRITE.invokeExact(capture, fd, buf, count);
            return n < 0 ? -errno(capture) : n;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** pread(2) of the whole buffer at offset; returns bytes read or throws naming the target and offset. */
    public static long pread(int fd, MemorySegment buffer, long offset, String target) {
        try {
            MemorySegment capture = CAPTURE.get();
            long n = (long) PREAD.invokeExact(capture, fd, buffer, buffer.byteSize(), offset);
            if (n < 0) throw new SyscallException("pread", target + String.format(" at 0x%x", offset), errno(capture));
            return n;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** pwrite(2) of the whole buffer at offset; returns bytes written or throws naming the target and offset. */
    public static long pwrite(int fd, MemorySegment buffer, long offset, String target) {
        try {
            MemorySegment capture = CAPTURE.get();
            long n = (long) PWRITE.invokeExact(capture, fd, buffer, buffer.byteSize(), offset);
            if (n < 0) throw new SyscallException("pwrite", target + String.format(" at 0x%x", offset), errno(capture));
            return n;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static final int RLIMIT_MEMLOCK = 8;

    /** getrlimit(2): {soft, hard}; RLIM_INFINITY reads as -1. */
    public static long[] getrlimit(int resource) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlimit = arena.allocate(16, 8);  // struct rlimit { rlim_t cur, max; }, 64-bit rlim_t
            MemorySegment capture = CAPTURE.get();
            int rc = (int) GETRLIMIT.invokeExact(capture, resource, rlimit);
            if (rc < 0) throw new SyscallException("getrlimit", "resource " + resource, errno(capture));
            return new long[]{rlimit.get(JAVA_LONG, 0), rlimit.get(JAVA_LONG, 8)};
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** which = PRIO_PROCESS with a thread id names one thread: Linux keeps nice values per thread. */
    public static final int PRIO_PROCESS = 0;

    /** setpriority(2): sets the nice value of one thread of this process (raising it needs no privilege). */
    public static void setpriority(int which, int who, int nice) {
        try {
            MemorySegment capture = CAPTURE.get();
            int rc = (int) SETPRIORITY.invokeExact(capture, which, who, nice);
            if (rc < 0) throw new SyscallException("setpriority", "thread " + who, errno(capture));
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void sigaction(int signal, MemorySegment action, MemorySegment old) {
        try {
            MemorySegment capture = CAPTURE.get();
            int rc = (int) SIGACTION.invokeExact(capture, signal, action, old);
            if (rc < 0) throw new SyscallException("sigaction", "signal " + signal, errno(capture));
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long pthreadSelf() {
        try {
            return (long) PTHREAD_SELF.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Returns 0 or the error number (pthread_kill does not use errno). */
    public static int pthreadKill(long thread, int signal) {
        try {
            return (int) PTHREAD_KILL.invokeExact(thread, signal);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int sigrtmin() {
        try {
            return (int) SIGRTMIN.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
