package dev.rig.kvm.boot;

import dev.rig.kvm.GuestAddress;
import dev.rig.kvm.GuestMemory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Places a kernel, its command line, an initrd and the zero page (boot_params) in guest RAM, per the 64-bit boot
 * protocol: the vCPU then enters at {@link #entry} in long mode with RSI = {@link #BOOT_PARAMS}.
 */
public final class LinuxBoot {
    public static final long BOOT_PARAMS = 0x7000, CMDLINE = 0x20000, KERNEL = 0x10_0000;
    public static final long STACK_TOP = 0x8ff0;
    private static final int E820_MAX = 128;
    private static final long PAGE = 4096;

    private LinuxBoot() {}

    /** Where the vCPU starts: the 64-bit entry point, 0x200 into the protected-mode kernel. */
    public static long entry() { return KERNEL + 0x200; }

    /**
     * Writes everything the kernel needs. The initrd goes at the top of low RAM (below the kernel's
     * initrd_addr_max), page aligned; {@code rsdp} is the ACPI root pointer, or 0 for none.
     */
    public static void load(GuestMemory memory, BzImage kernel, String cmdline, byte[] initrd, List<E820Entry> e820,
                            long lowRamEnd, long rsdp) {
        byte[] cmd = cmdline.getBytes(StandardCharsets.US_ASCII);
        if (kernel.cmdlineSizeMax() > 0 && cmd.length >= kernel.cmdlineSizeMax())
            throw new BootImageException("the command line is " + cmd.length + " bytes; " + kernel.name()
                    + " takes at most " + (kernel.cmdlineSizeMax() - 1));
        if (e820.size() > E820_MAX) throw new BootImageException("more than " + E820_MAX + " memory map entries");
        long kernelEnd = KERNEL + Math.max(kernel.kernel().length, kernel.initSize());
        if (kernelEnd > lowRamEnd)
            throw new BootImageException(kernel.name() + " needs " + (kernelEnd >> 20) + " MiB of low RAM to decompress; "
                    + "the VM has " + (lowRamEnd >> 20) + " MiB");
        memory.write(GuestAddress.of(KERNEL), kernel.kernel());
        MemorySegment cmdArea = memory.slice(GuestAddress.of(CMDLINE), cmd.length + 1);
        MemorySegment.copy(cmd, 0, cmdArea, ValueLayout.JAVA_BYTE, 0, cmd.length);
        cmdArea.set(ValueLayout.JAVA_BYTE, cmd.length, (byte) 0);

        MemorySegment bp = memory.slice(GuestAddress.of(BOOT_PARAMS), PAGE);
        bp.fill((byte) 0);
        MemorySegment.copy(kernel.setupHeader(), 0, bp, ValueLayout.JAVA_BYTE, BzImage.HEADER_OFFSET,
                kernel.setupHeader().length);
        bp.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0x1fa, (short) 0xffff);  // vid_mode: normal
        bp.set(ValueLayout.JAVA_BYTE, 0x210, (byte) 0xff);                // type_of_loader: undefined
        bp.set(ValueLayout.JAVA_BYTE, 0x211, (byte) (bp.get(ValueLayout.JAVA_BYTE, 0x211) | 0x80));  // CAN_USE_HEAP
        bp.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0x224, (short) 0xfe00);  // heap_end_ptr
        bp.set(ValueLayout.JAVA_INT_UNALIGNED, 0x228, (int) CMDLINE);     // cmd_line_ptr
        if (initrd.length > 0) {
            long max = Math.min(lowRamEnd, kernel.initrdAddressMax() + 1);
            long at = (max - initrd.length) & ~(PAGE - 1);
            if (at < kernelEnd)
                throw new BootImageException("the initrd (" + (initrd.length >> 20) + " MiB) does not fit in low RAM "
                        + "above the kernel; give the VM more memory");
            memory.write(GuestAddress.of(at), initrd);
            bp.set(ValueLayout.JAVA_INT_UNALIGNED, 0x218, (int) at);             // ramdisk_image
            bp.set(ValueLayout.JAVA_INT_UNALIGNED, 0x21c, initrd.length);        // ramdisk_size
        }
        if (rsdp != 0) bp.set(ValueLayout.JAVA_LONG_UNALIGNED, 0x070, rsdp);  // acpi_rsdp_addr (2.14+)
        bp.set(ValueLayout.JAVA_BYTE, 0x1e8, (byte) e820.size());
        for (int i = 0; i < e820.size(); i++) {
            long at = 0x2d0 + 20L * i;
            bp.set(ValueLayout.JAVA_LONG_UNALIGNED, at, e820.get(i).address());
            bp.set(ValueLayout.JAVA_LONG_UNALIGNED, at + 8, e820.get(i).size());
            bp.set(ValueLayout.JAVA_INT_UNALIGNED, at + 16, e820.get(i).type());
        }
    }
}
