package dev.rig.engine.host;

import java.util.Objects;

/**
 * One base address register of a PCI function as the host kernel assigned it.
 *
 * <p>{@code start} and {@code size} are unsigned 64-bit values (host physical addresses, or I/O port numbers for
 * {@link Kind#IO}). A {@link Kind#MEM64} BAR occupies two register slots: {@code index} and {@code index + 1}; the
 * upper slot never appears as a BAR of its own.
 *
 * @param index        register number, 0..5
 * @param start        host start address
 * @param size         length in bytes, never 0
 * @param kind         I/O port, 32-bit memory or 64-bit memory
 * @param prefetchable whether the memory is prefetchable (always false for I/O)
 */
public record Bar(int index, long start, long size, Kind kind, boolean prefetchable) {

    /** What address space a BAR decodes. MEM32 BARs must be placed below 4 GiB; MEM64 BARs may go anywhere. */
    public enum Kind {
        IO, MEM32, MEM64;

        /** Lower-case name used in snapshots and test builders: {@code io}, {@code mem32}, {@code mem64}. */
        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Inverse of {@link #jsonName()}, case-insensitive. */
        public static Kind fromJsonName(String name) {
            for (Kind k : values()) {
                if (k.jsonName().equalsIgnoreCase(name)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown BAR kind \"" + name + "\": expected io, mem32 or mem64");
        }
    }

    public Bar {
        Objects.requireNonNull(kind, "kind");
        if (index < 0 || index > 5) {
            throw new IllegalArgumentException("BAR index " + index + " is out of range 0..5");
        }
        if (kind == Kind.MEM64 && index == 5) {
            throw new IllegalArgumentException("BAR 5 cannot be 64-bit: a 64-bit BAR needs two register slots");
        }
        if (size == 0) {
            throw new IllegalArgumentException("BAR " + index + " has size 0");
        }
        if (kind == Kind.IO && prefetchable) {
            throw new IllegalArgumentException("BAR " + index + " is an I/O BAR and cannot be prefetchable");
        }
    }

    /** Last address covered, inclusive (unsigned). */
    public long end() {
        return start + size - 1;
    }

    public boolean isMemory() {
        return kind != Kind.IO;
    }

    public boolean is64Bit() {
        return kind == Kind.MEM64;
    }
}
