package dev.rig.kvm;

/** A guest physical address; a distinct type so it is never mixed up with a host (userspace) address. */
public record GuestAddress(long value) implements Comparable<GuestAddress> {
    public static GuestAddress of(long value) { return new GuestAddress(value); }

    public GuestAddress plus(long offset) { return new GuestAddress(value + offset); }

    @Override
    public int compareTo(GuestAddress o) { return Long.compareUnsigned(value, o.value); }

    @Override
    public String toString() { return String.format("0x%x", value); }
}
