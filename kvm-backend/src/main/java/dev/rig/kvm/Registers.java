package dev.rig.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A kvm_regs buffer with named accessors; read with {@link Vcpu#registers()}, applied with {@link Vcpu#setRegisters}. */
public final class Registers {
    public enum Reg { RAX, RBX, RCX, RDX, RSI, RDI, RSP, RBP, R8, R9, R10, R11, R12, R13, R14, R15, RIP, RFLAGS }

    final MemorySegment segment;

    Registers(MemorySegment segment) { this.segment = segment; }

    /** Registers all zero except RFLAGS bit 1, which is reserved and always set. */
    public static Registers initial(Arena arena) {
        Registers r = new Registers(arena.allocate(KvmStructs.REGS));
        return r.set(Reg.RFLAGS, 2);
    }

    public long get(Reg reg) { return segment.get(ValueLayout.JAVA_LONG, reg.ordinal() * 8L); }

    public Registers set(Reg reg, long value) {
        segment.set(ValueLayout.JAVA_LONG, reg.ordinal() * 8L, value);
        return this;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Reg r : Reg.values()) sb.append(r.name().toLowerCase()).append(String.format("=0x%x ", get(r)));
        return sb.toString().trim();
    }
}
