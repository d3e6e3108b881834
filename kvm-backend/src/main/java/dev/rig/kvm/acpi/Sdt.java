package dev.rig.kvm.acpi;

import java.nio.charset.StandardCharsets;

/**
 * A System Description Table: the 36-byte common header (ACPI 6.5 §5.2.6) followed by the body. The length
 * and checksum are filled in so the whole table sums to zero, as every OS checks.
 */
public record Sdt(String signature, int revision, String oemTableId, int oemRevision, byte[] body) {
    public static final int HEADER_SIZE = 36;
    public static final String OEM_ID = "RIGVMM";
    public static final String CREATOR_ID = "RIGV";
    public static final int CREATOR_REVISION = 1;
    /** Offsets inside the header. */
    public static final int LENGTH_OFFSET = 4, CHECKSUM_OFFSET = 9;

    public Sdt {
        if (signature.length() != 4) throw new IllegalArgumentException("signature must be 4 characters: " + signature);
        if (oemTableId.length() > 8) throw new IllegalArgumentException("OEM table id over 8 characters: " + oemTableId);
        body = body.clone();
    }

    /** A table with the OEM table id "RIG" + signature and OEM revision 1. */
    public Sdt(String signature, int revision, byte[] body) { this(signature, revision, "RIG" + signature, 1, body); }

    public int length() { return HEADER_SIZE + body.length; }

    public byte[] toBytes() {
        byte[] b = new ByteWriter()
                .ascii(signature, 4).u32(length()).u8(revision).u8(0)
                .ascii(OEM_ID, 6).ascii(oemTableId, 8).u32(oemRevision)
                .ascii(CREATOR_ID, 4).u32(CREATOR_REVISION)
                .bytes(body).toByteArray();
        b[CHECKSUM_OFFSET] = ByteWriter.checksum(b, 0, b.length);
        return b;
    }

    /** The signature of a serialized table. */
    public static String signatureOf(byte[] table, int offset) {
        return new String(table, offset, 4, StandardCharsets.US_ASCII);
    }
}
