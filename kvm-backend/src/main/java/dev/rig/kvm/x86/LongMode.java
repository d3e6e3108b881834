package dev.rig.kvm.x86;

import dev.rig.kvm.GuestAddress;
import dev.rig.kvm.GuestMemory;
import dev.rig.kvm.Registers;
import dev.rig.kvm.SegmentRegister;
import dev.rig.kvm.SpecialRegisters;
import dev.rig.kvm.Vcpu;

/**
 * Puts vCPUs straight into 64-bit long mode, as the Linux 64-bit boot protocol expects: a flat GDT, identity
 * page tables for the first 4 GiB with 2 MiB pages (1 GiB pages are not offered by every KVM, this machine's
 * paravirtual one included), paging and PAE on, EFER.LME/LMA set.
 */
public final class LongMode {
    public static final long GDT = 0x500;
    public static final long PML4 = 0x9000, PDPT = 0xa000, PD = 0xb000;  // PD: 4 pages, 0xb000-0xefff
    /** The first byte after the boot tables; guests and boot data go above it. */
    public static final long TABLES_END = 0xf000;
    /** The selectors the Linux boot protocol requires (__BOOT_CS, __BOOT_DS); entry 1 stays unused, as in Linux. */
    public static final int CODE_SELECTOR = 0x10, DATA_SELECTOR = 0x18;

    private static final long PRESENT = 1, WRITABLE = 2, HUGE = 0x80;
    private static final long CR0_PE = 1, CR0_ET = 1 << 4, CR0_NE = 1 << 5, CR0_WP = 1 << 16, CR0_AM = 1 << 18,
            CR0_PG = 1L << 31;
    private static final long CR4_PAE = 1 << 5;
    private static final long EFER_SCE = 1, EFER_LME = 1 << 8, EFER_LMA = 1 << 10;

    private LongMode() {}

    /** Writes the GDT and page tables into guest RAM (once per VM). */
    public static void writeTables(GuestMemory memory) {
        SegmentRegister code = SegmentRegister.code64(CODE_SELECTOR), data = SegmentRegister.flatData(DATA_SELECTOR);
        memory.writeLong(GuestAddress.of(GDT), 0);  // the null descriptor
        memory.writeLong(GuestAddress.of(GDT + 8), 0);
        memory.writeLong(GuestAddress.of(GDT + CODE_SELECTOR), code.toGdtEntry());
        memory.writeLong(GuestAddress.of(GDT + DATA_SELECTOR), data.toGdtEntry());

        memory.writeLong(GuestAddress.of(PML4), PDPT | PRESENT | WRITABLE);
        for (int gib = 0; gib < 4; gib++) {
            long pd = PD + gib * 0x1000L;
            memory.writeLong(GuestAddress.of(PDPT + gib * 8L), pd | PRESENT | WRITABLE);
            for (int i = 0; i < 512; i++) {
                long phys = ((long) gib << 30) | ((long) i << 21);
                memory.writeLong(GuestAddress.of(pd + i * 8L), phys | PRESENT | WRITABLE | HUGE);
            }
        }
    }

    /** Loads segment, control and general registers so the vCPU starts at rip in 64-bit mode. */
    public static void enter(Vcpu vcpu, long rip, long rsp, long rsi) {
        SpecialRegisters s = vcpu.specialRegisters();
        SegmentRegister code = SegmentRegister.code64(CODE_SELECTOR), data = SegmentRegister.flatData(DATA_SELECTOR);
        s.set(SpecialRegisters.Seg.CS, code);
        for (SpecialRegisters.Seg seg : new SpecialRegisters.Seg[]{SpecialRegisters.Seg.DS, SpecialRegisters.Seg.ES,
                SpecialRegisters.Seg.FS, SpecialRegisters.Seg.GS, SpecialRegisters.Seg.SS}) {
            s.set(seg, data);
        }
        s.setGdt(GDT, 4 * 8 - 1);
        s.set(SpecialRegisters.Control.CR3, PML4);
        s.set(SpecialRegisters.Control.CR4, CR4_PAE);
        s.set(SpecialRegisters.Control.CR0, CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG);
        s.set(SpecialRegisters.Control.EFER, EFER_SCE | EFER_LME | EFER_LMA);
        vcpu.setSpecialRegisters(s);

        Registers r = vcpu.registers();
        for (Registers.Reg reg : Registers.Reg.values()) r.set(reg, 0);
        r.set(Registers.Reg.RFLAGS, 2).set(Registers.Reg.RIP, rip).set(Registers.Reg.RSP, rsp)
                .set(Registers.Reg.RSI, rsi);
        vcpu.setRegisters(r);
    }
}
