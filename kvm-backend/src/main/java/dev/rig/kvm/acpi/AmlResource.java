package dev.rig.kvm.acpi;

/**
 * Resource descriptors (ACPI 6.5 §6.4) for {@link Aml#resourceTemplate}. Address space descriptors here are
 * MinFixed, MaxFixed, PosDecode, with granularity and translation 0; "producer" means a bridge forwarding the
 * range to its children (a host bridge's windows), "consumer" a device decoding it itself.
 */
public final class AmlResource {
    /** _MEM field of memory address spaces. */
    public enum Cacheability { NON_CACHEABLE, CACHEABLE, WRITE_COMBINING, PREFETCHABLE }

    static final int IRQ_NO_FLAGS_TAG = 0x22, IO_TAG = 0x47, MEMORY32_FIXED_TAG = 0x86,
            DWORD_ADDRESS_TAG = 0x87, WORD_ADDRESS_TAG = 0x88, QWORD_ADDRESS_TAG = 0x8a;
    static final int TYPE_MEMORY = 0, TYPE_IO = 1, TYPE_BUS = 2;
    private static final int MIN_FIXED = 1 << 2, MAX_FIXED = 1 << 3, CONSUMER = 1;
    private static final int IO_ENTIRE_RANGE = 3;

    private AmlResource() {}

    /** IO (Decode16, min, max, alignment, length) */
    public static byte[] io(int min, int max, int alignment, int length) {
        return new ByteWriter().u8(IO_TAG).u8(1).u16(min).u16(max).u8(alignment).u8(length).toByteArray();
    }

    /** IRQNoFlags () { irqs }: ISA IRQs 0..15, edge-triggered, active-high, exclusive. */
    public static byte[] irqNoFlags(int... irqs) {
        int mask = 0;
        for (int irq : irqs) {
            if (irq < 0 || irq > 15) throw new IllegalArgumentException("ISA IRQ " + irq);
            mask |= 1 << irq;
        }
        return new ByteWriter().u8(IRQ_NO_FLAGS_TAG).u16(mask).toByteArray();
    }

    /** Memory32Fixed (ReadWrite|ReadOnly, base, length) */
    public static byte[] memory32Fixed(boolean readWrite, long base, long length) {
        return new ByteWriter().u8(MEMORY32_FIXED_TAG).u16(9).u8(readWrite ? 1 : 0).u32(base).u32(length)
                .toByteArray();
    }

    /** WordBusNumber (ResourceProducer, ..., min, max) */
    public static byte[] wordBusNumber(int min, int max) {
        return word(TYPE_BUS, 0, min, max);
    }

    /** WordIO (ResourceProducer, ..., EntireRange, min, max) */
    public static byte[] wordIo(int min, int max) {
        return word(TYPE_IO, IO_ENTIRE_RANGE, min, max);
    }

    /** DWordMemory (ResourceProducer, ..., cacheability, ReadWrite|ReadOnly, min, max) */
    public static byte[] dwordMemory(Cacheability c, boolean readWrite, long min, long max) {
        return new ByteWriter().u8(DWORD_ADDRESS_TAG).u16(0x17)
                .u8(TYPE_MEMORY).u8(MIN_FIXED | MAX_FIXED).u8(memoryFlags(c, readWrite))
                .u32(0).u32(min).u32(max).u32(0).u32(max - min + 1).toByteArray();
    }

    /** QWordMemory (ResourceProducer or ResourceConsumer, ..., cacheability, ReadWrite|ReadOnly, min, max) */
    public static byte[] qwordMemory(boolean consumer, Cacheability c, boolean readWrite, long min, long max) {
        return new ByteWriter().u8(QWORD_ADDRESS_TAG).u16(0x2b)
                .u8(TYPE_MEMORY).u8(MIN_FIXED | MAX_FIXED | (consumer ? CONSUMER : 0)).u8(memoryFlags(c, readWrite))
                .u64(0).u64(min).u64(max).u64(0).u64(max - min + 1).toByteArray();
    }

    private static byte[] word(int type, int typeFlags, int min, int max) {
        if (min < 0 || max > 0xffff || min > max) throw new IllegalArgumentException("word range");
        return new ByteWriter().u8(WORD_ADDRESS_TAG).u16(0x0d).u8(type).u8(MIN_FIXED | MAX_FIXED).u8(typeFlags)
                .u16(0).u16(min).u16(max).u16(0).u16(max - min + 1).toByteArray();
    }

    private static int memoryFlags(Cacheability c, boolean readWrite) {
        return c.ordinal() << 1 | (readWrite ? 1 : 0);
    }
}
