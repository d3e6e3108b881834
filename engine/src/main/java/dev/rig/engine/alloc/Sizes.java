package dev.rig.engine.alloc;

import java.util.Locale;

/** Byte-size constants and the human-readable formatting used in every allocator message. */
public final class Sizes {
    public static final long KiB = 1L << 10;
    public static final long MiB = 1L << 20;
    public static final long GiB = 1L << 30;
    public static final long TiB = 1L << 40;

    private static final long[] UNITS = {TiB, GiB, MiB, KiB};
    private static final String[] NAMES = {"TiB", "GiB", "MiB", "KiB"};

    private Sizes() {
    }

    /**
     * Formats a byte count in the largest binary unit it reaches: "256 MiB", "4 KiB", "1.50 GiB".
     * Whole values print without decimals; anything else prints two decimals so that an
     * inexact size never looks exact.
     */
    public static String format(long bytes) {
        if (bytes < 0) {
            return "-" + format(-bytes);
        }
        for (int i = 0; i < UNITS.length; i++) {
            long unit = UNITS[i];
            if (bytes >= unit) {
                return bytes % unit == 0
                        ? (bytes / unit) + " " + NAMES[i]
                        : String.format(Locale.ROOT, "%.2f %s", (double) bytes / unit, NAMES[i]);
            }
        }
        return bytes == 1 ? "1 byte" : bytes + " bytes";
    }

    /** "0x" followed by lower-case hex digits, no padding. */
    public static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    static boolean isPowerOfTwo(long value) {
        return value > 0 && (value & (value - 1)) == 0;
    }

    /** Rounds {@code value} up to a multiple of the power-of-two {@code alignment}; -1 on overflow. */
    static long alignUp(long value, long alignment) {
        long mask = alignment - 1;
        if (value > Long.MAX_VALUE - mask) {
            return -1;
        }
        return (value + mask) & ~mask;
    }

    static long alignDown(long value, long alignment) {
        return value & ~(alignment - 1);
    }
}
