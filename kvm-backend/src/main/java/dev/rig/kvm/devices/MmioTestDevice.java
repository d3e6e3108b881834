package dev.rig.kvm.devices;

/**
 * A page of MMIO with a scratch register the built-in guests write and read back, proving the MMIO path
 * end to end. Offset 0: scratch (read/write, 8 bytes); offset 8: identification "RIGTEST\0"; offset 0x10: the
 * number of writes seen. Other offsets read as zero.
 */
public final class MmioTestDevice implements BusDevice {
    public static final long BASE = 0xd000_0000L;
    public static final long SIZE = 0x1000;
    public static final long IDENT = 0x0054_5345_5447_4952L;  // "RIGTEST" little-endian

    private long scratch;
    private long writes;

    @Override
    public synchronized long read(long offset, int size) {
        long value = switch ((int) (offset & ~7L)) {
            case 0 -> scratch;
            case 8 -> IDENT;
            case 0x10 -> writes;
            default -> 0;
        };
        return value >>> (8 * (offset & 7));
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        if (offset >= 8) return;
        long mask = size == 8 ? -1L : ((1L << (8 * size)) - 1) << (8 * offset);
        scratch = (scratch & ~mask) | ((value << (8 * offset)) & mask);
        writes++;
    }

    public synchronized long scratch() { return scratch; }

    public synchronized long writes() { return writes; }
}
