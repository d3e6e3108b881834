package dev.rig.vfio.sys;

import dev.rig.sys.IoctlRequest;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The system calls the VFIO logic makes, as one seam: {@link NativeVfioSys} makes them through FFM, and tests
 * substitute a fake that decodes the same argument structs ({@link VfioStructs}), so the logic under test is the
 * production logic. Failing calls throw {@link dev.rig.sys.SyscallException} naming the call, its target and errno.
 */
public interface VfioSys {
    /** open(2) with O_CLOEXEC added; returns the fd. */
    int open(String path, int flags);

    void close(int fd);

    /** ioctl with a pointer argument; returns the non-negative result. */
    int ioctl(int fd, IoctlRequest request, MemorySegment arg, String target);

    /** ioctl with an integer argument; returns the non-negative result. */
    int ioctl(int fd, IoctlRequest request, long arg, String target);

    /** mmap(2) of {@code length} bytes of fd at {@code offset}, MAP_SHARED; returns the address. */
    long mmap(int fd, long offset, long length, int prot, String what);

    void munmap(long address, long length);

    /** eventfd(2); returns the fd. */
    int eventfd(int initval, int flags);

    /** pread(2) of {@code buffer.byteSize()} bytes; returns the count read (short at end of region). */
    long pread(int fd, MemorySegment buffer, long offset, String target);

    /** pwrite(2) of {@code buffer.byteSize()} bytes; returns the count written. */
    long pwrite(int fd, MemorySegment buffer, long offset, String target);

    /** getrlimit(2) for one resource ({@link #RLIMIT_MEMLOCK}). */
    Rlimit getrlimit(int resource);

    /** The devices in an IOMMU group by name (sysfs), for error messages; empty when unknown. */
    List<String> iommuGroupDevices(int group);

    int RLIMIT_MEMLOCK = 8;

    /** A resource limit; {@link #INFINITY} (RLIM_INFINITY, all ones) means no limit. */
    record Rlimit(long soft, long hard) {
        public static final long INFINITY = -1L;

        public boolean softUnlimited() { return soft == INFINITY; }
    }
}
