package dev.rig.vfio.sys;

import dev.rig.sys.IoctlRequest;
import dev.rig.sys.Libc;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** {@link VfioSys} on the real kernel, through {@link Libc}. */
public final class NativeVfioSys implements VfioSys {
    public static final NativeVfioSys INSTANCE = new NativeVfioSys(Path.of("/sys/kernel/iommu_groups"));

    private final Path iommuGroups;

    /** @param iommuGroups the sysfs folder that lists each group's devices (only read for error messages) */
    public NativeVfioSys(Path iommuGroups) {
        this.iommuGroups = iommuGroups;
    }

    @Override
    public int open(String path, int flags) {
        return Libc.open(path, flags | Libc.O_CLOEXEC);
    }

    @Override
    public void close(int fd) {
        Libc.close(fd);
    }

    @Override
    public int ioctl(int fd, IoctlRequest request, MemorySegment arg, String target) {
        return Libc.ioctl(fd, request, arg, target);
    }

    @Override
    public int ioctl(int fd, IoctlRequest request, long arg, String target) {
        return Libc.ioctl(fd, request, arg, target);
    }

    @Override
    public long mmap(int fd, long offset, long length, int prot, String what) {
        return Libc.mmap(0, length, prot, Libc.MAP_SHARED, fd, offset, what);
    }

    @Override
    public void munmap(long address, long length) {
        Libc.munmap(address, length);
    }

    @Override
    public int eventfd(int initval, int flags) {
        return Libc.eventfd(initval, flags | Libc.EFD_CLOEXEC);
    }

    @Override
    public long pread(int fd, MemorySegment buffer, long offset, String target) {
        return Libc.pread(fd, buffer, offset, target);
    }

    @Override
    public long pwrite(int fd, MemorySegment buffer, long offset, String target) {
        return Libc.pwrite(fd, buffer, offset, target);
    }

    @Override
    public Rlimit getrlimit(int resource) {
        long[] limit = Libc.getrlimit(resource);
        return new Rlimit(limit[0], limit[1]);
    }

    @Override
    public List<String> iommuGroupDevices(int group) {
        try (Stream<Path> devices = Files.list(iommuGroups.resolve(Integer.toString(group)).resolve("devices"))) {
            return devices.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
