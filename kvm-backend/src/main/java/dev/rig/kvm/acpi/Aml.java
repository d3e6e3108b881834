package dev.rig.kvm.acpi;

import java.nio.charset.StandardCharsets;

/**
 * A minimal AML encoder (ACPI 6.5 chapter 20): each method returns the bytes of one term, named after the
 * ASL/AML construct it builds, so a DSDT reads like its ASL. Only what Rig's DSDT needs is here.
 */
public final class Aml {
    static final int ZERO_OP = 0x00, ONE_OP = 0x01, NAME_OP = 0x08, BYTE_PREFIX = 0x0a, WORD_PREFIX = 0x0b,
            DWORD_PREFIX = 0x0c, STRING_PREFIX = 0x0d, QWORD_PREFIX = 0x0e, SCOPE_OP = 0x10, BUFFER_OP = 0x11,
            PACKAGE_OP = 0x12, METHOD_OP = 0x14, DUAL_NAME_PREFIX = 0x2e, MULTI_NAME_PREFIX = 0x2f,
            EXT_OP_PREFIX = 0x5b, DEVICE_OP = 0x82, RETURN_OP = 0xa4, ROOT_CHAR = '\\';

    private Aml() {}

    public static byte[] concat(byte[]... parts) {
        ByteWriter w = new ByteWriter();
        for (byte[] p : parts) w.bytes(p);
        return w.toByteArray();
    }

    /**
     * A NameString: optional leading '\', then 4-character segments separated by '.'; shorter segments are
     * padded with '_' as ASL does ("_S5" is "_S5_").
     */
    public static byte[] nameString(String path) {
        ByteWriter w = new ByteWriter();
        String rest = path;
        if (rest.startsWith("\\")) {
            w.u8(ROOT_CHAR);
            rest = rest.substring(1);
        }
        String[] segs = rest.split("\\.");
        if (segs.length == 2) w.u8(DUAL_NAME_PREFIX);
        else if (segs.length > 2) w.u8(MULTI_NAME_PREFIX).u8(segs.length);
        for (String s : segs) {
            if (s.isEmpty() || s.length() > 4 || !s.matches("[A-Z_][A-Z0-9_]*"))
                throw new IllegalArgumentException("bad AML name segment '" + s + "' in " + path);
            w.ascii((s + "___").substring(0, 4), 4);
        }
        return w.toByteArray();
    }

    /** Name (path, value) */
    public static byte[] name(String path, byte[] value) {
        return concat(new byte[] {NAME_OP}, nameString(path), value);
    }

    /** An Integer in the shortest encoding: ZeroOp, OneOp, or Byte/Word/DWord/QWord prefixed data. */
    public static byte[] integer(long v) {
        ByteWriter w = new ByteWriter();
        if (v == 0) w.u8(ZERO_OP);
        else if (v == 1) w.u8(ONE_OP);
        else if (Long.compareUnsigned(v, 0xff) <= 0) w.u8(BYTE_PREFIX).u8((int) v);
        else if (Long.compareUnsigned(v, 0xffff) <= 0) w.u8(WORD_PREFIX).u16((int) v);
        else if (Long.compareUnsigned(v, 0xffff_ffffL) <= 0) w.u8(DWORD_PREFIX).u32(v);
        else w.u8(QWORD_PREFIX).u64(v);
        return w.toByteArray();
    }

    /** A String: ASCII, NUL-terminated. */
    public static byte[] string(String s) {
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(s) || s.indexOf('\0') >= 0)
            throw new IllegalArgumentException("AML strings are ASCII without NUL: " + s);
        return concat(new byte[] {STRING_PREFIX}, s.getBytes(StandardCharsets.US_ASCII), new byte[] {0});
    }

    /** Buffer () { data }: the size is an Integer term ahead of the bytes. */
    public static byte[] buffer(byte[] data) {
        return withPkgLength(BUFFER_OP, concat(integer(data.length), data));
    }

    /** Package () { elements }: at most 255 elements (NumElements is one byte). */
    public static byte[] packageOf(byte[]... elements) {
        if (elements.length > 255) throw new IllegalArgumentException("package of " + elements.length);
        return withPkgLength(PACKAGE_OP, concat(new byte[] {(byte) elements.length}, concat(elements)));
    }

    /** Scope (path) { terms } */
    public static byte[] scope(String path, byte[]... terms) {
        return withPkgLength(SCOPE_OP, concat(nameString(path), concat(terms)));
    }

    /** Device (path) { terms } */
    public static byte[] device(String path, byte[]... terms) {
        return concat(new byte[] {EXT_OP_PREFIX}, withPkgLength(DEVICE_OP, concat(nameString(path), concat(terms))));
    }

    /** Method (path, argCount, Serialized|NotSerialized) { terms } */
    public static byte[] method(String path, int argCount, boolean serialized, byte[]... terms) {
        if (argCount < 0 || argCount > 7) throw new IllegalArgumentException("methods take 0..7 arguments");
        byte flags = (byte) (argCount | (serialized ? 1 << 3 : 0));
        return withPkgLength(METHOD_OP, concat(nameString(path), new byte[] {flags}, concat(terms)));
    }

    /** Return (value) */
    public static byte[] returnOf(byte[] value) {
        return concat(new byte[] {(byte) RETURN_OP}, value);
    }

    /** EisaId ("PNP0A08"): three 5-bit letters and four hex digits packed into a DWord, stored big-endian. */
    public static byte[] eisaId(String id) {
        if (!id.matches("[A-Z]{3}[0-9A-F]{4}")) throw new IllegalArgumentException("EISA id: " + id);
        int v = ((id.charAt(0) - 0x40) << 26) | ((id.charAt(1) - 0x40) << 21) | ((id.charAt(2) - 0x40) << 16)
                | Integer.parseInt(id.substring(3), 16);
        return integer(Integer.reverseBytes(v) & 0xffff_ffffL);
    }

    /** ResourceTemplate () { descriptors }: a Buffer ending in an EndTag with a zero (ignored) checksum. */
    public static byte[] resourceTemplate(byte[]... descriptors) {
        return buffer(concat(concat(descriptors), new byte[] {0x79, 0x00}));
    }

    /** opcode, PkgLength, contents: the PkgLength counts its own bytes and the contents (§20.2.4). */
    static byte[] withPkgLength(int opcode, byte[] contents) {
        return concat(new byte[] {(byte) opcode}, pkgLength(contents.length), contents);
    }

    /** The PkgLength encoding for a package of contentLength bytes plus the PkgLength itself. */
    static byte[] pkgLength(int contentLength) {
        int n = contentLength + 1 <= 0x3f ? 1 : contentLength + 2 <= 0xfff ? 2 : contentLength + 3 <= 0xfffff ? 3 : 4;
        int total = contentLength + n;
        if (n == 4 && total > 0xfffffff) throw new IllegalArgumentException("AML package too large: " + total);
        if (n == 1) return new byte[] {(byte) total};
        byte[] b = new byte[n];
        b[0] = (byte) (((n - 1) << 6) | (total & 0xf));
        for (int i = 1; i < n; i++) b[i] = (byte) (total >>> (4 + 8 * (i - 1)));
        return b;
    }
}
