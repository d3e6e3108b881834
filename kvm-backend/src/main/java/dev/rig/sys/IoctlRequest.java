package dev.rig.sys;

import java.lang.foreign.MemoryLayout;

/**
 * An ioctl request number with its name. Numbers are computed as the kernel's _IO/_IOR/_IOW/_IOWR macros do
 * (include/uapi/asm-generic/ioctl.h), with the size taken from the argument's struct layout.
 */
public record IoctlRequest(String name, long number) {
    private static final int NRBITS = 8, TYPEBITS = 8, SIZEBITS = 14;
    private static final int TYPESHIFT = NRBITS, SIZESHIFT = TYPESHIFT + TYPEBITS, DIRSHIFT = SIZESHIFT + SIZEBITS;
    private static final int NONE = 0, WRITE = 1, READ = 2;

    public static IoctlRequest io(String name, int type, int nr) {
        return new IoctlRequest(name, encode(NONE, type, nr, 0));
    }

    /** The kernel reads the argument (_IOW). */
    public static IoctlRequest iow(String name, int type, int nr, MemoryLayout arg) {
        return new IoctlRequest(name, encode(WRITE, type, nr, arg.byteSize()));
    }

    /** The kernel writes the argument (_IOR). */
    public static IoctlRequest ior(String name, int type, int nr, MemoryLayout arg) {
        return new IoctlRequest(name, encode(READ, type, nr, arg.byteSize()));
    }

    public static IoctlRequest iowr(String name, int type, int nr, MemoryLayout arg) {
        return new IoctlRequest(name, encode(READ | WRITE, type, nr, arg.byteSize()));
    }

    static long encode(int dir, int type, int nr, long size) {
        if (size >= (1L << SIZEBITS)) throw new IllegalArgumentException("ioctl argument too large: " + size);
        return ((long) dir << DIRSHIFT) | (size << SIZESHIFT) | ((long) type << TYPESHIFT) | nr;
    }

    @Override
    public String toString() {
        return name + String.format("(0x%x)", number);
    }
}
