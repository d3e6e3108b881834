package dev.rig.kvm;

/** A KVM memory slot: guest physical range -> host userspace address. */
public record MemorySlot(int slot, GuestAddress guestAddress, long size, long hostAddress, int flags) {
    public static final int LOG_DIRTY_PAGES = 1, READONLY = 2;

    public boolean overlaps(GuestAddress start, long length) {
        long a = guestAddress.value(), b = start.value();
        return Long.compareUnsigned(a, b + length) < 0 && Long.compareUnsigned(b, a + size) < 0;
    }
}
