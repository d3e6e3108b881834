package dev.rig.kvm.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A Linux x86 bzImage as the boot protocol describes it (Documentation/arch/x86/boot.rst): the real-mode setup
 * (whose header the VMM copies into boot_params) and the protected-mode kernel loaded at 1 MiB, entered at its
 * 64-bit entry point (load address + 0x200), which protocol 2.12+ kernels with XLF_KERNEL_64 provide.
 */
public record BzImage(String name, int protocol, int setupSectors, byte[] setupHeader, byte[] kernel,
                      long initrdAddressMax, int cmdlineSizeMax, long initSize, long kernelAlignment) {
    public static final int HEADER_OFFSET = 0x1f1;
    static final int MIN_PROTOCOL = 0x020c;  // 2.12: xloadflags, so a 64-bit entry can be checked for
    private static final int XLF_KERNEL_64 = 1;

    /** Reads and checks a bzImage; every failure names the file and what is wrong with it. */
    public static BzImage read(Path file) {
        byte[] image;
        try {
            image = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel " + file, e);
        }
        return parse(file.toString(), image);
    }

    public static BzImage parse(String name, byte[] image) {
        if (image.length < 0x300) throw new BootImageException(name + " is not a Linux kernel: too short for a setup header");
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getShort(0x1fe) != (short) 0xAA55 || b.getInt(0x202) != 0x53726448)  // boot_flag, "HdrS"
            throw new BootImageException(name + " is not a Linux bzImage (no \"HdrS\" setup header); "
                    + "give the compressed kernel, e.g. /boot/vmlinuz-*");
        int protocol = Short.toUnsignedInt(b.getShort(0x206));
        if (protocol < MIN_PROTOCOL)
            throw new BootImageException(String.format("%s uses boot protocol %d.%02d; Rig needs 2.12 or later (Linux 3.8+)",
                    name, protocol >> 8, protocol & 0xff));
        if ((b.get(0x211) & 1) == 0) throw new BootImageException(name + " is not a bzImage (LOADED_HIGH is clear)");
        if ((Short.toUnsignedInt(b.getShort(0x236)) & XLF_KERNEL_64) == 0)
            throw new BootImageException(name + " has no 64-bit entry point (XLF_KERNEL_64): Rig boots 64-bit kernels");
        int setupSectors = Byte.toUnsignedInt(b.get(HEADER_OFFSET));
        if (setupSectors == 0) setupSectors = 4;
        int kernelStart = (setupSectors + 1) * 512;
        if (kernelStart >= image.length) throw new BootImageException(name + " is truncated: no kernel after the setup code");
        int headerEnd = 0x202 + Byte.toUnsignedInt(b.get(0x201));  // the setup header ends where its jump lands
        return new BzImage(name, protocol, setupSectors, Arrays.copyOfRange(image, HEADER_OFFSET, headerEnd),
                Arrays.copyOfRange(image, kernelStart, image.length), Integer.toUnsignedLong(b.getInt(0x22c)),
                b.getInt(0x238), Integer.toUnsignedLong(b.getInt(0x260)), Integer.toUnsignedLong(b.getInt(0x230)));
    }

    public String version() { return String.format("%d.%02d", protocol >> 8, protocol & 0xff); }
}
