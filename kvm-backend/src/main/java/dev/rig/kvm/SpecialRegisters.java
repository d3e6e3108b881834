package dev.rig.kvm;

import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.rig.kvm.KvmStructs.SEGMENT;
import static dev.rig.kvm.KvmStructs.SREGS;

/** A kvm_sregs buffer: segment registers, descriptor tables, control registers and EFER. */
public final class SpecialRegisters {
    public enum Seg { CS, DS, ES, FS, GS, SS, TR, LDT }

    public enum Control { CR0, CR2, CR3, CR4, CR8, EFER, APIC_BASE }

    final MemorySegment segment;

    SpecialRegisters(MemorySegment segment) { this.segment = segment; }

    public SpecialRegisters set(Seg which, SegmentRegister r) {
        MemorySegment s = segment.asSlice(SREGS.byteOffset(PathElement.groupElement(which.name().toLowerCase())),
                SEGMENT.byteSize());
        s.set(ValueLayout.JAVA_LONG, 0, r.base());
        s.set(ValueLayout.JAVA_INT, 8, r.limit());
        s.set(ValueLayout.JAVA_SHORT, 12, (short) r.selector());
        s.set(ValueLayout.JAVA_BYTE, 14, (byte) r.type());
        s.set(ValueLayout.JAVA_BYTE, 15, flag(r.present()));
        s.set(ValueLayout.JAVA_BYTE, 16, (byte) r.dpl());
        s.set(ValueLayout.JAVA_BYTE, 17, flag(r.db()));
        s.set(ValueLayout.JAVA_BYTE, 18, flag(r.s()));
        s.set(ValueLayout.JAVA_BYTE, 19, flag(r.l()));
        s.set(ValueLayout.JAVA_BYTE, 20, flag(r.g()));
        s.set(ValueLayout.JAVA_BYTE, 21, (byte) 0);  // avl
        s.set(ValueLayout.JAVA_BYTE, 22, (byte) 0);  // unusable
        return this;
    }

    public SpecialRegisters setGdt(long base, int limit) { return setTable("gdt", base, limit); }

    public SpecialRegisters setIdt(long base, int limit) { return setTable("idt", base, limit); }

    private SpecialRegisters setTable(String name, long base, int limit) {
        long off = SREGS.byteOffset(PathElement.groupElement(name));
        segment.set(ValueLayout.JAVA_LONG, off, base);
        segment.set(ValueLayout.JAVA_SHORT, off + 8, (short) limit);
        return this;
    }

    public long get(Control c) {
        return segment.get(ValueLayout.JAVA_LONG, SREGS.byteOffset(PathElement.groupElement(c.name().toLowerCase())));
    }

    public SpecialRegisters set(Control c, long value) {
        segment.set(ValueLayout.JAVA_LONG, SREGS.byteOffset(PathElement.groupElement(c.name().toLowerCase())), value);
        return this;
    }

    private static byte flag(boolean b) { return (byte) (b ? 1 : 0); }
}
