package dev.rig.cli.bench;

import dev.rig.sys.IoctlRequest;
import dev.rig.vfio.sys.NativeVfioSys;
import dev.rig.vfio.sys.VfioIoctls;
import dev.rig.vfio.sys.VfioSys;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The real VFIO calls, with two timestamps taken inside Rig's own call sequences: VfioContainer.group() ends with
 * VFIO_SET_IOMMU and VfioGroup.device() starts with VFIO_GROUP_GET_DEVICE_FD, so marking them splits those two API
 * calls into the phases the C reference times separately. Every other call passes straight through.
 */
final class PhaseClockVfioSys implements VfioSys {
    private final VfioSys real = NativeVfioSys.INSTANCE;
    long setIommuStart;
    long deviceFdEnd;

    @Override
    public int ioctl(int fd, IoctlRequest request, long arg, String target) {
        if (request == VfioIoctls.SET_IOMMU) setIommuStart = System.nanoTime();
        return real.ioctl(fd, request, arg, target);
    }

    @Override
    public int ioctl(int fd, IoctlRequest request, MemorySegment arg, String target) {
        int result = real.ioctl(fd, request, arg, target);
        if (request == VfioIoctls.GROUP_GET_DEVICE_FD) deviceFdEnd = System.nanoTime();
        return result;
    }

    @Override public int open(String path, int flags) { return real.open(path, flags); }
    @Override public void close(int fd) { real.close(fd); }
    @Override public long mmap(int fd, long offset, long length, int prot, String what) { return real.mmap(fd, offset, length, prot, what); }
    @Override public void munmap(long address, long length) { real.munmap(address, length); }
    @Override public int eventfd(int initval, int flags) { return real.eventfd(initval, flags); }
    @Override public long pread(int fd, MemorySegment buffer, long offset, String target) { return real.pread(fd, buffer, offset, target); }
    @Override public long pwrite(int fd, MemorySegment buffer, long offset, String target) { return real.pwrite(fd, buffer, offset, target); }
    @Override public Rlimit getrlimit(int resource) { return real.getrlimit(resource); }
    @Override public List<String> iommuGroupDevices(int group) { return real.iommuGroupDevices(group); }
}
