package dev.rig.engine.alloc;

/**
 * A non-empty range of guest physical addresses, {@code [start, start + size)}.
 *
 * <p>Addresses are non-negative longs and {@code start + size} must not exceed
 * {@link Long#MAX_VALUE}, which covers every x86-64 physical address width (at most 52 bits).
 * {@link #end()} is inclusive so that ranges print the way memory maps and e820 tables show them.
 */
public record AddressRange(long start, long size) implements Comparable<AddressRange> {

    public AddressRange {
        if (start < 0) {
            throw new IllegalArgumentException("address range start must not be negative: " + start);
        }
        if (size <= 0) {
            throw new IllegalArgumentException("address range size must be positive: " + size);
        }
        if (start > Long.MAX_VALUE - size) {
            throw new IllegalArgumentException("address range overflows: start " + Sizes.hex(start)
                    + " size " + Sizes.hex(size));
        }
    }

    /** The range {@code [start, endExclusive)}. */
    public static AddressRange between(long start, long endExclusive) {
        return new AddressRange(start, endExclusive - start);
    }

    /** The last address in the range (inclusive). */
    public long end() {
        return start + (size - 1);
    }

    /** The first address after the range; the constructor guarantees it does not overflow. */
    public long endExclusive() {
        return start + size;
    }

    public boolean contains(long address) {
        return address >= start && address <= end();
    }

    public boolean contains(AddressRange other) {
        return other.start >= start && other.end() <= end();
    }

    public boolean overlaps(AddressRange other) {
        return other.start <= end() && start <= other.end();
    }

    /** True when {@code start} is a multiple of the power-of-two {@code alignment}. */
    public boolean isAlignedTo(long alignment) {
        return (start & (alignment - 1)) == 0;
    }

    @Override
    public int compareTo(AddressRange other) {
        int byStart = Long.compare(start, other.start);
        return byStart != 0 ? byStart : Long.compare(size, other.size);
    }

    /** For example {@code 0xc0000000-0xcfffffff (256 MiB)}. */
    @Override
    public String toString() {
        return Sizes.hex(start) + "-" + Sizes.hex(end()) + " (" + Sizes.format(size) + ")";
    }
}
