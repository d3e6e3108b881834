package dev.rig.kvm;

/** One kvm_segment: a segment register's hidden descriptor cache as KVM loads it. */
public record SegmentRegister(long base, int limit, int selector, int type, boolean present, int dpl,
                              boolean db, boolean s, boolean l, boolean g) {
    /** 64-bit code: execute/read, accessed (type 11), L set, D clear. */
    public static SegmentRegister code64(int selector) {
        return new SegmentRegister(0, 0xffffffff, selector, 11, true, 0, false, true, true, true);
    }

    /** Flat data: read/write, accessed (type 3), 32-bit default size. */
    public static SegmentRegister flatData(int selector) {
        return new SegmentRegister(0, 0xffffffff, selector, 3, true, 0, true, true, false, true);
    }

    /** The same segment as an 8-byte GDT descriptor. */
    public long toGdtEntry() {
        long limitField = g ? (limit >>> 12) & 0xfffffL : limit & 0xfffffL;
        return (limitField & 0xffff) | ((base & 0xffffff) << 16) | ((long) (type & 0xf) << 40)
                | ((s ? 1L : 0) << 44) | ((long) (dpl & 3) << 45) | ((present ? 1L : 0) << 47)
                | ((limitField >>> 16) << 48) | ((l ? 1L : 0) << 53) | ((db ? 1L : 0) << 54)
                | ((g ? 1L : 0) << 55) | (((base >>> 24) & 0xff) << 56);
    }
}
