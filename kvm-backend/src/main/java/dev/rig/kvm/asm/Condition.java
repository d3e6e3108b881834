package dev.rig.kvm.asm;

/** Jcc condition codes (the low nibble of 0F 8x). */
public enum Condition {
    O(0x0), NO(0x1), B(0x2), AE(0x3), E(0x4), NE(0x5), BE(0x6), A(0x7),
    S(0x8), NS(0x9), P(0xa), NP(0xb), L(0xc), GE(0xd), LE(0xe), G(0xf);

    final int code;

    Condition(int code) { this.code = code; }

    public static final Condition Z = E, NZ = NE;
}
