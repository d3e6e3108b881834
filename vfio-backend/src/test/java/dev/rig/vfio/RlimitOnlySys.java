package dev.rig.vfio;

import dev.rig.sys.IoctlRequest;
import dev.rig.vfio.sys.VfioSys;

import java.lang.foreign.MemorySegment;
import java.util.List;

/** A VfioSys for tests that need getrlimit only; any other call is a test bug. */
record RlimitOnlySys(VfioSys.Rlimit limit) implements VfioSys {
    @Override public int open(String path, int flags) { throw new AssertionError(); }
    @Override public void close(int fd) { throw new AssertionError(); }
    @Override public int ioctl(int fd, IoctlRequest r, MemorySegment arg, String t) { throw new AssertionError(); }
    @Override public int ioctl(int fd, IoctlRequest r, long arg, String t) { throw new AssertionError(); }
    @Override public long mmap(int fd, long offset, long length, int prot, String what) { throw new AssertionError(); }
    @Override public void munmap(long address, long length) { throw new AssertionError(); }
    @Override public int eventfd(int initval, int flags) { throw new AssertionError(); }
    @Override public long pread(int fd, MemorySegment b, long offset, String t) { throw new AssertionError(); }
    @Override public long pwrite(int fd, MemorySegment b, long offset, String t) { throw new AssertionError(); }
    @Override public Rlimit getrlimit(int resource) { return limit; }
    @Override public List<String> iommuGroupDevices(int group) { return List.of(); }
}
