package dev.rig.kvm.backend;

import dev.rig.engine.alloc.GuestMemoryLayout;
import dev.rig.engine.alloc.MemoryRegion;
import dev.rig.engine.model.Boot;
import dev.rig.kvm.GuestMemory;
import dev.rig.kvm.boot.BzImage;
import dev.rig.kvm.boot.E820Entry;
import dev.rig.kvm.boot.LinuxBoot;
import dev.rig.kvm.x86.LongMode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** Loads a VM's Linux kernel: the memory map from the plan, the bzImage, the initrd, the page tables. */
final class KernelLoading {
    /** The legacy VGA/BIOS hole (0xA0000-0xFFFFF) and the EBDA page below it are not RAM to a PC guest. */
    static final long EBDA = 0x9fc00, HIGH_MEMORY = 0x10_0000;

    private KernelLoading() {}

    /** {@code rsdp}: the ACPI root pointer, 0 for none. */
    static void load(GuestMemory memory, Boot.LinuxKernel k, GuestMemoryLayout layout, long rsdp) {
        BzImage kernel = BzImage.read(k.kernel());
        byte[] initrd;
        try {
            initrd = k.initrd().isPresent() ? Files.readAllBytes(k.initrd().get()) : new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read initrd " + k.initrd().get(), e);
        }
        LongMode.writeTables(memory);
        long lowRamEnd = layout.ram().getFirst().endExclusive();
        LinuxBoot.load(memory, kernel, k.cmdline(), initrd, e820(layout), lowRamEnd, rsdp);
    }

    /** RAM (less the legacy hole) and the reserved areas of the plan's layout, as the BIOS would report them. */
    static List<E820Entry> e820(GuestMemoryLayout layout) {
        List<E820Entry> out = new ArrayList<>();
        for (MemoryRegion r : layout.regions()) {
            long start = r.range().start(), size = r.range().size();
            switch (r.type()) {
                case RAM -> {
                    if (start == 0) {
                        out.add(new E820Entry(0, EBDA, E820Entry.RAM));
                        if (size > HIGH_MEMORY) out.add(new E820Entry(HIGH_MEMORY, size - HIGH_MEMORY, E820Entry.RAM));
                    } else {
                        out.add(new E820Entry(start, size, E820Entry.RAM));
                    }
                }
                case ECAM, RESERVED -> out.add(new E820Entry(start, size, E820Entry.RESERVED));
                default -> { }  // device apertures are not memory: the guest's PCI code places BARs there
            }
        }
        return out;
    }
}
