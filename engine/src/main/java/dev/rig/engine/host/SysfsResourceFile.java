package dev.rig.engine.host;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses a PCI device's sysfs {@code resource} file (drivers/pci/pci-sysfs.c, resource_show): one line
 * {@code "0x%016llx 0x%016llx 0x%016llx"} (start, end, flags) per struct resource. Lines 0..5 are the BARs and
 * line 6 the expansion ROM. Later lines (SR-IOV VF BARs, bridge windows) are not read: how many there are depends
 * on the kernel configuration, so they cannot be told apart from the file alone.
 */
final class SysfsResourceFile {

    // include/linux/ioport.h
    static final long IORESOURCE_TYPE_BITS = 0x00001f00L;
    static final long IORESOURCE_IO = 0x00000100L;
    static final long IORESOURCE_MEM = 0x00000200L;
    static final long IORESOURCE_PREFETCH = 0x00002000L;
    static final long IORESOURCE_MEM_64 = 0x00100000L;

    static final int ROM_LINE = 6;

    record Parsed(List<Bar> bars, Optional<ExpansionRom> rom) {
    }

    private SysfsResourceFile() {
    }

    static Parsed parse(Path file, String text) {
        List<Bar> bars = new ArrayList<>();
        Optional<ExpansionRom> rom = Optional.empty();
        String[] lines = text.isBlank() ? new String[0] : text.strip().split("\n");
        for (int i = 0; i < Math.min(lines.length, ROM_LINE + 1); i++) {
            long[] fields = fields(file, i, lines[i]);
            long start = fields[0];
            long end = fields[1];
            long flags = fields[2];
            long type = flags & IORESOURCE_TYPE_BITS;
            // An unused BAR (or the upper half of a 64-bit one) is an all-zero line.
            if ((type != IORESOURCE_IO && type != IORESOURCE_MEM) || (start == 0 && end == 0)) {
                continue;
            }
            if (Long.compareUnsigned(end, start) < 0) {
                throw SysfsFiles.malformed(file, where(i) + ": end 0x" + Long.toHexString(end)
                        + " is below start 0x" + Long.toHexString(start));
            }
            long size = end - start + 1;
            if (i == ROM_LINE) {
                rom = Optional.of(new ExpansionRom(start, size));
                continue;
            }
            Bar.Kind kind = type == IORESOURCE_IO ? Bar.Kind.IO
                    : (flags & IORESOURCE_MEM_64) != 0 ? Bar.Kind.MEM64 : Bar.Kind.MEM32;
            boolean prefetchable = kind != Bar.Kind.IO && (flags & IORESOURCE_PREFETCH) != 0;
            try {
                bars.add(new Bar(i, start, size, kind, prefetchable));
            } catch (IllegalArgumentException e) {
                throw SysfsFiles.malformed(file, where(i) + ": " + e.getMessage());
            }
        }
        return new Parsed(bars, rom);
    }

    private static long[] fields(Path file, int index, String line) {
        String[] parts = line.strip().split("\\s+");
        if (parts.length != 3) {
            throw badLine(file, index, line);
        }
        long[] values = new long[3];
        for (int f = 0; f < 3; f++) {
            if (!parts[f].matches("0[xX]\\p{XDigit}{1,16}")) {
                throw badLine(file, index, line);
            }
            values[f] = Long.parseUnsignedLong(parts[f].substring(2), 16);
        }
        return values;
    }

    private static String where(int index) {
        return "line " + (index + 1) + " (" + (index == ROM_LINE ? "expansion ROM" : "BAR " + index) + ")";
    }

    private static HostInventoryException badLine(Path file, int index, String line) {
        return SysfsFiles.malformed(file, where(index)
                + ": expected three hex numbers \"0x<start> 0x<end> 0x<flags>\", got \"" + line + "\"");
    }
}
