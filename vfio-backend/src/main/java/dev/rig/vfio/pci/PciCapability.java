package dev.rig.vfio.pci;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntUnaryOperator;

/**
 * A standard capability in config space: its id, where it starts and how many bytes it spans.
 * {@link #walk} follows a capability list the way a guest does, refusing loops and links into the header.
 */
public record PciCapability(int id, int offset, int length) {
    private static final int MAX_CAPS = (PciRegs.STD_CONFIG_SIZE - PciRegs.HEADER_END) / 4;

    public int end() { return offset + length; }

    public boolean overlaps(int start, int len) {
        return start < end() && offset < start + len;
    }

    /**
     * Walks the list from the capability pointer with {@code readByte} (offset -> byte value).
     *
     * @throws IllegalStateException on a loop or a link outside [0x40, 0x100)
     */
    public static List<PciCapability> walk(IntUnaryOperator readByte) {
        List<int[]> found = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        int ptr = readByte.applyAsInt(PciRegs.CAPABILITY_LIST) & 0xfc;
        while (ptr != 0) {
            if (ptr < PciRegs.HEADER_END || ptr > PciRegs.STD_CONFIG_SIZE - 4)
                throw new IllegalStateException(String.format("capability link 0x%02x points outside [0x40, 0x100)", ptr));
            if (!seen.add(ptr) || seen.size() > MAX_CAPS)
                throw new IllegalStateException(String.format("capability list loops back to 0x%02x", ptr));
            found.add(new int[] {readByte.applyAsInt(ptr) & 0xff, ptr});
            ptr = readByte.applyAsInt(ptr + 1) & 0xfc;
        }
        List<PciCapability> caps = new ArrayList<>();
        for (int[] f : found) caps.add(new PciCapability(f[0], f[1], length(f[0], f[1], readByte, found)));
        return caps;
    }

    /** Known sizes by id (pci_regs.h); unknown ones reach to the next capability or the end of config space. */
    private static int length(int id, int offset, IntUnaryOperator readByte, List<int[]> all) {
        int len = switch (id) {
            case PciRegs.CAP_ID_PM, PciRegs.CAP_ID_VPD, PciRegs.CAP_ID_SSVID, PciRegs.CAP_ID_SATA -> 8;
            case PciRegs.CAP_ID_MSI -> msiLength(readByte.applyAsInt(offset + 2) | readByte.applyAsInt(offset + 3) << 8);
            case PciRegs.CAP_ID_MSIX -> 12;
            case PciRegs.CAP_ID_AF -> 6;
            case PciRegs.CAP_ID_EXP -> (readByte.applyAsInt(offset + 2) & 0xf) >= 2 ? 0x3c : 0x24;
            case PciRegs.CAP_ID_VNDR -> Math.max(3, readByte.applyAsInt(offset + 2) & 0xff);
            default -> {
                int next = PciRegs.STD_CONFIG_SIZE;
                for (int[] f : all) if (f[1] > offset) next = Math.min(next, f[1]);
                yield next - offset;
            }
        };
        return Math.min(len, PciRegs.STD_CONFIG_SIZE - offset);
    }

    /** 10/14 bytes for 32/64-bit addresses, 10 more with per-vector masking (mask and pending dwords). */
    static int msiLength(int control) {
        boolean is64 = (control & 0x80) != 0, maskable = (control & 0x100) != 0;
        return maskable ? (is64 ? 24 : 20) : (is64 ? 14 : 10);
    }

    @Override
    public String toString() {
        return String.format("cap 0x%02x at 0x%02x (%d bytes)", id, offset, length);
    }
}
