package dev.rig.kvm.asm;

/** x86-64 general purpose registers by encoding number; the 32-bit and 8-bit forms share the number. */
public enum Reg {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15;

    int low3() { return ordinal() & 7; }

    boolean extended() { return ordinal() >= 8; }
}
