package dev.rig.kvm.asm;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Emits the few 64-bit x86 instructions Rig's built-in guests use, with labels. Encodings follow the Intel SDM
 * vol. 2; each method names the instruction form it emits. Memory operands are [base + disp32].
 */
public final class X86Assembler {
    private final ByteArrayOutputStream code = new ByteArrayOutputStream();
    private final List<Fixup> fixups = new ArrayList<>();

    /** A rel32 field at position that must hold target - end once target is bound. */
    private record Fixup(int position, int end, Label target) {}

    public int position() { return code.size(); }

    // --- moves -------------------------------------------------------------------------------------------

    /** MOV r32, imm32 (B8+rd id): zero-extends into the 64-bit register. */
    public X86Assembler movImm32(Reg dst, int imm) {
        rex(false, null, dst);
        emit(0xb8 + dst.low3());
        emit32(imm);
        return this;
    }

    /** MOV r64, imm64 (REX.W B8+rd io). */
    public X86Assembler movImm64(Reg dst, long imm) {
        rex(true, null, dst);
        emit(0xb8 + dst.low3());
        for (int i = 0; i < 8; i++) emit((int) (imm >>> (8 * i)));
        return this;
    }

    /** MOV [base+disp], r32 (89 /r), or r64 with wide (REX.W 89 /r). */
    public X86Assembler store(Reg base, int disp, Reg src, boolean wide) {
        rex(wide, src, base);
        emit(0x89);
        memOperand(src, base, disp);
        return this;
    }

    /** MOV r32, [base+disp] (8B /r), or r64 with wide (REX.W 8B /r). */
    public X86Assembler load(Reg dst, Reg base, int disp, boolean wide) {
        rex(wide, dst, base);
        emit(0x8b);
        memOperand(dst, base, disp);
        return this;
    }

    /** MOVZX r32, byte [base+disp] (0F B6 /r). */
    public X86Assembler loadByte(Reg dst, Reg base, int disp) {
        rex(false, dst, base);
        emit(0x0f);
        emit(0xb6);
        memOperand(dst, base, disp);
        return this;
    }

    /** LEA r64, [RIP + label] (REX.W 8D /r, mod 00 r/m 101). */
    public X86Assembler leaRip(Reg dst, Label target) {
        rex(true, dst, null);
        emit(0x8d);
        emit((dst.low3() << 3) | 0b101);
        rel32(target);
        return this;
    }

    // --- arithmetic --------------------------------------------------------------------------------------

    /** CMP r/m32, r32 (39 /r) with both operands registers: flags from a - b. */
    public X86Assembler cmp(Reg a, Reg b) {
        rex(false, b, a);
        emit(0x39);
        emit(0xc0 | (b.low3() << 3) | a.low3());
        return this;
    }

    /** INC r64 (REX.W FF /0). */
    public X86Assembler inc(Reg r) {
        rex(true, null, r);
        emit(0xff);
        emit(0xc0 | r.low3());
        return this;
    }

    /** DEC r32 (FF /1). */
    public X86Assembler dec(Reg r) {
        rex(false, null, r);
        emit(0xff);
        emit(0xc8 | r.low3());
        return this;
    }

    /** CMP AL, imm8 (3C ib). */
    public X86Assembler cmpAl(int imm8) {
        emit(0x3c);
        emit(imm8);
        return this;
    }

    /** TEST AL, imm8 (A8 ib). */
    public X86Assembler testAl(int imm8) {
        emit(0xa8);
        emit(imm8);
        return this;
    }

    // --- port I/O, control -------------------------------------------------------------------------------

    /** OUT DX, AL (EE). */
    public X86Assembler outDxAl() { return emit(0xee); }

    /** OUT DX, EAX (EF). */
    public X86Assembler outDxEax() { return emit(0xef); }

    /** IN AL, DX (EC). */
    public X86Assembler inAlDx() { return emit(0xec); }

    /** HLT (F4). */
    public X86Assembler hlt() { return emit(0xf4); }

    /** JMP rel32 (E9 cd). */
    public X86Assembler jmp(Label target) {
        emit(0xe9);
        rel32(target);
        return this;
    }

    /** Jcc rel32 (0F 80+cc cd). */
    public X86Assembler j(Condition cc, Label target) {
        emit(0x0f);
        emit(0x80 | cc.code);
        rel32(target);
        return this;
    }

    public X86Assembler bind(Label label) {
        if (label.isBound()) throw new IllegalStateException("label bound twice: " + label);
        label.position = position();
        return this;
    }

    /** Raw bytes (data, strings). */
    public X86Assembler bytes(byte[] data) {
        code.writeBytes(data);
        return this;
    }

    /** The machine code, with every label reference resolved. */
    public byte[] assemble() {
        byte[] out = code.toByteArray();
        for (Fixup f : fixups) {
            if (!f.target().isBound()) throw new IllegalStateException("unbound label " + f.target());
            int rel = f.target().position - f.end();
            for (int i = 0; i < 4; i++) out[f.position() + i] = (byte) (rel >>> (8 * i));
        }
        return out;
    }

    // --- encoding helpers --------------------------------------------------------------------------------

    /** Emits a REX prefix when needed: W for 64-bit operands, R extends ModRM.reg, B extends r/m or base. */
    private void rex(boolean w, Reg reg, Reg rmOrBase) {
        int rex = 0x40 | (w ? 8 : 0) | (reg != null && reg.extended() ? 4 : 0)
                | (rmOrBase != null && rmOrBase.extended() ? 1 : 0);
        if (rex != 0x40) emit(rex);
    }

    /** ModRM (+SIB) for [base + disp32]; RSP/R12 as base need a SIB byte. */
    private void memOperand(Reg reg, Reg base, int disp) {
        emit(0x80 | (reg.low3() << 3) | base.low3());
        if (base.low3() == 4) emit(0x24);  // SIB: no index, base = RSP/R12
        emit32(disp);
    }

    private void rel32(Label target) {
        int at = position();
        emit32(0);
        fixups.add(new Fixup(at, position(), target));
    }

    private X86Assembler emit(int b) {
        code.write(b & 0xff);
        return this;
    }

    private void emit32(int v) {
        for (int i = 0; i < 4; i++) emit(v >>> (8 * i));
    }
}
