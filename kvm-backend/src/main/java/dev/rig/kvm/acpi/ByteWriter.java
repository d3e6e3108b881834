package dev.rig.kvm.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A growable little-endian byte buffer: everything in ACPI tables and AML is little-endian. */
final class ByteWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ByteWriter u8(int v) { out.write(v); return this; }

    ByteWriter u16(int v) { return u8(v).u8(v >>> 8); }

    ByteWriter u32(long v) { return u16((int) v).u16((int) (v >>> 16)); }

    ByteWriter u64(long v) { return u32(v).u32(v >>> 32); }

    ByteWriter bytes(byte[] b) { out.writeBytes(b); return this; }

    /** Writes s as ASCII, padded with spaces (OEM ids) or cut to exactly width bytes. */
    ByteWriter ascii(String s, int width) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < width; i++) out.write(i < b.length ? b[i] : ' ');
        return this;
    }

    ByteWriter zeros(int n) { for (int i = 0; i < n; i++) out.write(0); return this; }

    int size() { return out.size(); }

    byte[] toByteArray() { return out.toByteArray(); }

    /** The byte that makes b[from, from+length) sum to zero mod 256 (the ACPI checksum rule). */
    static byte checksum(byte[] b, int from, int length) {
        int sum = 0;
        for (int i = from; i < from + length; i++) sum += b[i];
        return (byte) -sum;
    }

    static void putU32(byte[] b, int at, long v) {
        for (int i = 0; i < 4; i++) b[at + i] = (byte) (v >>> (8 * i));
    }
}
