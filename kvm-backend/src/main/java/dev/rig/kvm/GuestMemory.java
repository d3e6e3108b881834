package dev.rig.kvm;

import dev.rig.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Guest RAM: one anonymous host mapping per guest region, reserved lazily (MAP_NORESERVE) so a 64 GiB guest
 * costs what it touches. The mappings live as long as this object's arena; closing it unmaps them.
 */
public final class GuestMemory implements AutoCloseable {
    /** One contiguous region of guest physical memory and the host memory behind it. */
    public record Region(GuestAddress start, long size, MemorySegment host) {
        public boolean contains(long gpa, long length) {
            return Long.compareUnsigned(gpa, start.value()) >= 0
                    && Long.compareUnsigned(gpa - start.value() + length, size) <= 0;
        }
    }

    /** The guest physical range a region should cover. */
    public record Range(GuestAddress start, long size) {}

    private final Arena arena = Arena.ofShared();
    private final List<Region> regions = new ArrayList<>();

    private GuestMemory() {}

    /** Maps anonymous host memory for each range; on failure nothing stays mapped. */
    public static GuestMemory anonymous(List<Range> ranges) {
        GuestMemory memory = new GuestMemory();
        try {
            for (Range r : ranges) memory.map(r);
            return memory;
        } catch (RuntimeException e) {
            memory.close();
            throw e;
        }
    }

    private void map(Range range) {
        long size = range.size();
        if (size <= 0 || (size & 0xfff) != 0)
            throw new IllegalArgumentException("guest memory region size must be a positive multiple of 4 KiB: " + size);
        long addr = Libc.mmap(0, size, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE, -1, 0,
                "guest memory at " + range.start() + " (" + size + " bytes)");
        MemorySegment host = MemorySegment.ofAddress(addr).reinterpret(size, arena, s -> Libc.munmap(addr, size));
        regions.add(new Region(range.start(), size, host));
    }

    public List<Region> regions() { return List.copyOf(regions); }

    public long totalSize() { return regions.stream().mapToLong(Region::size).sum(); }

    /** A view of guest memory [gpa, gpa+length); it must lie within one region. */
    public MemorySegment slice(GuestAddress gpa, long length) {
        for (Region r : regions) {
            if (r.contains(gpa.value(), length)) return r.host().asSlice(gpa.value() - r.start().value(), length);
        }
        throw new IndexOutOfBoundsException(String.format("guest range %s+0x%x is not RAM", gpa, length));
    }

    public void write(GuestAddress gpa, byte[] bytes) {
        MemorySegment.copy(bytes, 0, slice(gpa, bytes.length), ValueLayout.JAVA_BYTE, 0, bytes.length);
    }

    public void writeLong(GuestAddress gpa, long value) {
        slice(gpa, 8).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
    }

    public long readLong(GuestAddress gpa) {
        return slice(gpa, 8).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
