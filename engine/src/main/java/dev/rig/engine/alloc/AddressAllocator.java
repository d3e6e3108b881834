package dev.rig.engine.alloc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hands out ranges of one named region of guest physical address space, for example
 * "segment 0 mmio32".
 *
 * <p>Allocation is first fit from the bottom of the region: the lowest address that satisfies the
 * alignment and has room wins. (Cloud Hypervisor's allocator fills from the top; bottom-up keeps
 * {@code rig plan} output in the order devices were placed, and for naturally aligned power-of-two
 * BARs placed largest first the two pack equally well.) The state is just the set of allocated
 * ranges, so freeing everything an operation allocated restores the allocator exactly.
 *
 * <p>Methods are synchronized so that a hotplug thread and the planner may share one allocator;
 * atomicity across several allocators is {@link ResourceTransaction}'s job.
 */
public final class AddressAllocator {
    private final String name;
    private final AddressRange region;
    /** Allocated ranges keyed by start address; never overlapping. */
    private final TreeMap<Long, AddressRange> allocated = new TreeMap<>();

    public AddressAllocator(String name, AddressRange region) {
        if (name == null || name.isBlank()) {
            throw new AllocationException.InvalidRequest("address allocator", "a name is required");
        }
        if (region == null) {
            throw new AllocationException.InvalidRequest(name, "a region is required");
        }
        this.name = name;
        this.region = region;
    }

    public AddressAllocator(String name, long start, long size) {
        this(name, checkedRange(name, start, size));
    }

    public String name() {
        return name;
    }

    public AddressRange region() {
        return region;
    }

    /**
     * Allocates {@code size} bytes at the lowest address in the region that is a multiple of
     * {@code alignment}.
     *
     * @throws AllocationException.InvalidRequest if size is not positive or alignment is not a power of two
     * @throws AllocationException.Exhausted if no free block can hold the request
     */
    public synchronized AddressRange allocate(long size, long alignment) {
        checkSize(size);
        if (!Sizes.isPowerOfTwo(alignment)) {
            throw new AllocationException.InvalidRequest(name,
                    "alignment must be a power of two, got " + alignment + " (" + Sizes.hex(alignment) + ")");
        }
        long cursor = region.start();
        for (AddressRange used : allocated.values()) {
            AddressRange fit = fitBelow(cursor, used.start(), size, alignment);
            if (fit != null) {
                return take(fit);
            }
            cursor = used.endExclusive();
        }
        AddressRange fit = fitBelow(cursor, region.endExclusive(), size, alignment);
        if (fit != null) {
            return take(fit);
        }
        throw new AllocationException.Exhausted(name, region, size, alignment, freeBytes(), largestFreeBlock());
    }

    /**
     * Allocates exactly {@code [address, address + size)}.
     *
     * @throws AllocationException.InvalidRequest if size is not positive or address is negative
     * @throws AllocationException.OutOfRange if the range does not lie inside the region
     * @throws AllocationException.Overlap if the range collides with an allocated one
     */
    public synchronized AddressRange allocateAt(long address, long size) {
        checkSize(size);
        if (address < 0 || address > Long.MAX_VALUE - size) {
            throw new AllocationException.OutOfRange(name, region, address, size);
        }
        AddressRange wanted = new AddressRange(address, size);
        if (!region.contains(wanted)) {
            throw new AllocationException.OutOfRange(name, region, address, size);
        }
        // Ranges never overlap, so only the one starting at or below the request, or the next one
        // above it, can be the lowest collision.
        Map.Entry<Long, AddressRange> below = allocated.floorEntry(wanted.start());
        if (below != null && below.getValue().overlaps(wanted)) {
            throw new AllocationException.Overlap(name, wanted, below.getValue());
        }
        Map.Entry<Long, AddressRange> above = allocated.higherEntry(wanted.start());
        if (above != null && above.getValue().overlaps(wanted)) {
            throw new AllocationException.Overlap(name, wanted, above.getValue());
        }
        return take(wanted);
    }

    /**
     * Returns a range this allocator handed out. The range must match an allocation exactly;
     * partial frees are refused because no caller needs them and they hide bookkeeping bugs.
     */
    public synchronized void free(AddressRange range) {
        AddressRange held = range == null ? null : allocated.get(range.start());
        if (held == null || !held.equals(range)) {
            throw new AllocationException.NotAllocated(name, String.valueOf(range));
        }
        allocated.remove(range.start());
    }

    public synchronized boolean isAllocated(AddressRange range) {
        return range != null && range.equals(allocated.get(range.start()));
    }

    /** The allocated ranges in address order. */
    public synchronized List<AddressRange> allocations() {
        return List.copyOf(allocated.values());
    }

    /** The free blocks in address order. */
    public synchronized List<AddressRange> freeBlocks() {
        List<AddressRange> blocks = new ArrayList<>();
        long cursor = region.start();
        for (AddressRange used : allocated.values()) {
            if (used.start() > cursor) {
                blocks.add(AddressRange.between(cursor, used.start()));
            }
            cursor = used.endExclusive();
        }
        if (region.endExclusive() > cursor) {
            blocks.add(AddressRange.between(cursor, region.endExclusive()));
        }
        return blocks;
    }

    public synchronized long allocatedBytes() {
        return allocated.values().stream().mapToLong(AddressRange::size).sum();
    }

    public synchronized long freeBytes() {
        return region.size() - allocatedBytes();
    }

    public synchronized long largestFreeBlock() {
        return freeBlocks().stream().mapToLong(AddressRange::size).max().orElse(0);
    }

    public synchronized ApertureUsage usage() {
        return new ApertureUsage(name, region, allocatedBytes(), freeBytes(), largestFreeBlock());
    }

    @Override
    public synchronized String toString() {
        return name + " " + region + ", " + allocated.size() + " allocated, " + Sizes.format(freeBytes()) + " free";
    }

    /** The aligned range of {@code size} bytes in the gap {@code [from, limit)}, or null if none fits. */
    private static AddressRange fitBelow(long from, long limit, long size, long alignment) {
        long start = Sizes.alignUp(from, alignment);
        if (start < 0 || start >= limit || limit - start < size) {
            return null;
        }
        return new AddressRange(start, size);
    }

    private AddressRange take(AddressRange range) {
        allocated.put(range.start(), range);
        return range;
    }

    private void checkSize(long size) {
        if (size <= 0) {
            throw new AllocationException.InvalidRequest(name, "size must be positive, got " + size);
        }
    }

    private static AddressRange checkedRange(String name, long start, long size) {
        if (start < 0 || size <= 0 || start > Long.MAX_VALUE - size) {
            throw new AllocationException.InvalidRequest(String.valueOf(name),
                    "region must be non-empty and within 0.." + Sizes.hex(Long.MAX_VALUE)
                            + ", got start " + Sizes.hex(start) + " size " + size);
        }
        return new AddressRange(start, size);
    }
}
