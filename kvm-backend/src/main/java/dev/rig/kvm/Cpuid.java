package dev.rig.kvm;

import dev.rig.sys.Errno;
import dev.rig.sys.Libc;
import dev.rig.sys.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.rig.kvm.KvmStructs.CPUID2_HEADER;
import static dev.rig.kvm.KvmStructs.CPUID_ENTRY2;

/**
 * A kvm_cpuid2 table: what KVM supports, adjusted per vCPU. Immutable; {@link #forVcpu} returns a copy.
 */
public final class Cpuid {
    private static final long ENTRY = CPUID_ENTRY2.byteSize();
    private static final long HYPERVISOR_BIT = 1L << 31;

    private final byte[] table;  // the whole kvm_cpuid2, header and entries

    private Cpuid(byte[] table) { this.table = table; }

    static Cpuid supported(Kvm kvm) {
        for (int nent = 128; nent <= 4096; nent *= 2) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(CPUID2_HEADER.byteSize() + nent * ENTRY, 8);
                buf.set(ValueLayout.JAVA_INT, 0, nent);
                int rc = Libc.ioctlRaw(kvm.fd().fd(), KvmIoctls.GET_SUPPORTED_CPUID.number(), buf);
                if (rc == -Errno.E2BIG) continue;  // table larger than our buffer: retry bigger
                if (rc < 0) throw new SyscallException("ioctl KVM_GET_SUPPORTED_CPUID", kvm.fd().description(), -rc);
                int n = buf.get(ValueLayout.JAVA_INT, 0);
                return new Cpuid(buf.asSlice(0, CPUID2_HEADER.byteSize() + n * ENTRY).toArray(ValueLayout.JAVA_BYTE));
            }
        }
        throw new KvmException("KVM_GET_SUPPORTED_CPUID returned more than 4096 entries");
    }

    public int entryCount() { return MemorySegment.ofArray(table).get(ValueLayout.JAVA_INT_UNALIGNED, 0); }

    /**
     * The table for one vCPU: its APIC id in leaf 1 (EBX[31:24]) and leaf 0xB (EDX), and the hypervisor bit
     * (leaf 1 ECX[31]) that Linux needs to trust the TSC instead of waiting for a calibration that never ends.
     */
    public Cpuid forVcpu(int apicId) {
        byte[] copy = table.clone();
        MemorySegment s = MemorySegment.ofArray(copy);
        for (int i = 0; i < entryCount(); i++) {
            long e = CPUID2_HEADER.byteSize() + i * ENTRY;
            int function = s.get(ValueLayout.JAVA_INT_UNALIGNED, e);
            if (function == 1) {
                int ebx = s.get(ValueLayout.JAVA_INT_UNALIGNED, e + 16);
                s.set(ValueLayout.JAVA_INT_UNALIGNED, e + 16, (ebx & 0x00ffffff) | (apicId << 24));
                int ecx = s.get(ValueLayout.JAVA_INT_UNALIGNED, e + 20);
                s.set(ValueLayout.JAVA_INT_UNALIGNED, e + 20, (int) (ecx | HYPERVISOR_BIT));
            } else if (function == 0xb) {
                s.set(ValueLayout.JAVA_INT_UNALIGNED, e + 28, apicId);
            }
        }
        return new Cpuid(copy);
    }

    /** A copy in native memory, as KVM_SET_CPUID2 takes it. */
    MemorySegment toNative(Arena arena) {
        MemorySegment buf = arena.allocate(table.length, 8);
        MemorySegment.copy(MemorySegment.ofArray(table), 0, buf, 0, table.length);
        return buf;
    }

    /** Register values of a leaf (eax, ebx, ecx, edx), or null when the table lacks it. */
    public int[] leaf(int function, int index) {
        MemorySegment s = MemorySegment.ofArray(table);
        for (int i = 0; i < entryCount(); i++) {
            long e = CPUID2_HEADER.byteSize() + i * ENTRY;
            if (s.get(ValueLayout.JAVA_INT_UNALIGNED, e) == function && s.get(ValueLayout.JAVA_INT_UNALIGNED, e + 4) == index)
                return new int[]{s.get(ValueLayout.JAVA_INT_UNALIGNED, e + 12), s.get(ValueLayout.JAVA_INT_UNALIGNED, e + 16),
                        s.get(ValueLayout.JAVA_INT_UNALIGNED, e + 20), s.get(ValueLayout.JAVA_INT_UNALIGNED, e + 24)};
        }
        return null;
    }
}
