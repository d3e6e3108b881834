package dev.rig.engine.host;

/**
 * A PCI function's expansion ROM window (sysfs resource line 6), e.g. a GPU's video BIOS.
 *
 * @param start host start address (unsigned)
 * @param size  length in bytes, never 0
 */
public record ExpansionRom(long start, long size) {

    public ExpansionRom {
        if (size == 0) {
            throw new IllegalArgumentException("expansion ROM has size 0");
        }
    }

    /** Last address covered, inclusive (unsigned). */
    public long end() {
        return start + size - 1;
    }
}
