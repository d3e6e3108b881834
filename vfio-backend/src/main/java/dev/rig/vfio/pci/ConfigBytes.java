package dev.rig.vfio.pci;

import java.util.Arrays;

/**
 * The virtual copy of standard config space with two bit masks per byte: {@code emulated} bits are answered from
 * the copy (the rest from the device), and {@code writable} bits (a subset of the emulated ones) are those a guest
 * write may change in the copy. Emulated bits that are not writable are read-only to the guest.
 */
final class ConfigBytes {
    final byte[] value = new byte[PciRegs.STD_CONFIG_SIZE];
    final byte[] emulated = new byte[PciRegs.STD_CONFIG_SIZE];
    final byte[] writable = new byte[PciRegs.STD_CONFIG_SIZE];

    int get(int offset, int width) {
        int v = 0;
        for (int i = width - 1; i >= 0; i--) v = (v << 8) | (value[offset + i] & 0xff);
        return v;
    }

    void set(int offset, int width, int v) {
        for (int i = 0; i < width; i++) value[offset + i] = (byte) (v >>> (8 * i));
    }

    /** Marks width bytes at offset: emulated and writable bits as little-endian masks; sets the value too. */
    void emulate(int offset, int width, int v, int emulatedMask, int writableMask) {
        if ((writableMask & ~emulatedMask) != 0) throw new IllegalArgumentException("writable bits must be emulated");
        for (int i = 0; i < width; i++) {
            emulated[offset + i] = (byte) (emulatedMask >>> (8 * i));
            writable[offset + i] = (byte) (writableMask >>> (8 * i));
        }
        set(offset, width, v);
    }

    /** Fully emulated, read-only bytes holding v. */
    void readOnly(int offset, int width, int v) {
        emulate(offset, width, v, mask(width), 0);
    }

    /** Fully emulated, read-only zeros over a range of any length. */
    void readOnlyZeros(int offset, int length) {
        Arrays.fill(value, offset, offset + length, (byte) 0);
        Arrays.fill(emulated, offset, offset + length, (byte) 0xff);
        Arrays.fill(writable, offset, offset + length, (byte) 0);
    }

    int emulatedMask(int offset, int width) {
        int m = 0;
        for (int i = width - 1; i >= 0; i--) m = (m << 8) | (emulated[offset + i] & 0xff);
        return m;
    }

    boolean fullyEmulated(int offset) {
        return emulated[offset] == (byte) 0xff;
    }

    /** Applies a guest write to the copy: only writable bits change. */
    void applyWrite(int offset, int width, int v) {
        for (int i = 0; i < width; i++) {
            int w = writable[offset + i] & 0xff;
            int old = value[offset + i] & 0xff;
            value[offset + i] = (byte) ((old & ~w) | ((v >>> (8 * i)) & w));
        }
    }

    static int mask(int width) {
        return width == 4 ? -1 : (1 << (8 * width)) - 1;
    }
}
