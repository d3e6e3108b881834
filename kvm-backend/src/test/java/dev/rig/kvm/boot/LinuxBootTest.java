package dev.rig.kvm.boot;

import dev.rig.kvm.GuestAddress;
import dev.rig.kvm.GuestMemory;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class LinuxBootTest {
    /** A minimal image with a valid setup header: protocol 2.15, 64-bit entry, 2 setup sectors, 4 KiB kernel. */
    static byte[] image(int protocol, int xloadflags, boolean bzimage) {
        byte[] img = new byte[3 * 512 + 4096];
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0x1f1, (byte) 2);
        b.putShort(0x1fe, (short) 0xAA55);
        b.put(0x201, (byte) 0x6a);                 // the jump: header ends at 0x26c
        b.putInt(0x202, 0x53726448);                // "HdrS"
        b.putShort(0x206, (short) protocol);
        b.put(0x211, (byte) (bzimage ? 1 : 0));
        b.putInt(0x22c, 0x7fffffff);                // initrd_addr_max
        b.putInt(0x230, 0x200000);
        b.putShort(0x236, (short) xloadflags);
        b.putInt(0x238, 2048);                      // cmdline_size
        b.putInt(0x260, 0x10000);                   // init_size
        for (int i = 0; i < 4096; i++) img[3 * 512 + i] = (byte) i;
        return img;
    }

    @Test
    void parsesTheSetupHeader() {
        BzImage k = BzImage.parse("k", image(0x020f, 1, true));
        assertEquals("2.15", k.version());
        assertEquals(2, k.setupSectors());
        assertEquals(4096, k.kernel().length);
        assertEquals(0x26c - 0x1f1, k.setupHeader().length);
        assertEquals(2048, k.cmdlineSizeMax());
    }

    @Test
    void refusesWhatItCannotBootNamingTheFileAndTheReason() {
        byte[] notLinux = new byte[4096];
        assertEquals("vmlinux is not a Linux bzImage (no \"HdrS\" setup header); give the compressed kernel, e.g. /boot/vmlinuz-*",
                assertThrows(BootImageException.class, () -> BzImage.parse("vmlinux", notLinux)).getMessage());
        assertEquals("old uses boot protocol 2.06; Rig needs 2.12 or later (Linux 3.8+)",
                assertThrows(BootImageException.class, () -> BzImage.parse("old", image(0x0206, 1, true))).getMessage());
        assertEquals("k32 has no 64-bit entry point (XLF_KERNEL_64): Rig boots 64-bit kernels",
                assertThrows(BootImageException.class, () -> BzImage.parse("k32", image(0x020f, 0, true))).getMessage());
        assertEquals("zimg is not a bzImage (LOADED_HIGH is clear)",
                assertThrows(BootImageException.class, () -> BzImage.parse("zimg", image(0x020f, 1, false))).getMessage());
    }

    @Test
    void writesKernelCommandLineInitrdAndBootParams() {
        BzImage k = BzImage.parse("k", image(0x020f, 1, true));
        byte[] initrd = new byte[8192];
        initrd[0] = 0x42;
        List<E820Entry> e820 = List.of(new E820Entry(0, 0x9fc00, E820Entry.RAM), new E820Entry(0x100000, (64 << 20) - 0x100000, E820Entry.RAM));
        try (GuestMemory mem = GuestMemory.anonymous(List.of(new GuestMemory.Range(GuestAddress.of(0), 64 << 20)))) {
            LinuxBoot.load(mem, k, "console=ttyS0", initrd, e820, 64 << 20, 0xe0000);
            var bp = mem.slice(GuestAddress.of(LinuxBoot.BOOT_PARAMS), 4096);
            assertEquals(0x53726448, bp.get(ValueLayout.JAVA_INT_UNALIGNED, 0x202), "setup header copied");
            assertEquals((byte) 0xff, bp.get(ValueLayout.JAVA_BYTE, 0x210), "type_of_loader");
            assertEquals((int) LinuxBoot.CMDLINE, bp.get(ValueLayout.JAVA_INT_UNALIGNED, 0x228));
            assertEquals("console=ttyS0", mem.slice(GuestAddress.of(LinuxBoot.CMDLINE), 64).getString(0));
            int initrdAt = bp.get(ValueLayout.JAVA_INT_UNALIGNED, 0x218);
            assertEquals((64 << 20) - 8192, initrdAt, "initrd at the top of low RAM, page aligned");
            assertEquals(8192, bp.get(ValueLayout.JAVA_INT_UNALIGNED, 0x21c));
            assertEquals(0x42, mem.slice(GuestAddress.of(initrdAt), 1).get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(0xe0000L, bp.get(ValueLayout.JAVA_LONG_UNALIGNED, 0x070), "acpi_rsdp_addr");
            assertEquals(2, bp.get(ValueLayout.JAVA_BYTE, 0x1e8));
            assertEquals(0x100000L, bp.get(ValueLayout.JAVA_LONG_UNALIGNED, 0x2d0 + 20));
            assertEquals(1, bp.get(ValueLayout.JAVA_INT_UNALIGNED, 0x2d0 + 20 + 16));
            assertArrayEquals(k.kernel(), mem.slice(GuestAddress.of(LinuxBoot.KERNEL), 4096).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(LinuxBoot.KERNEL + 0x200, LinuxBoot.entry());
        }
    }

    @Test
    void refusesACommandLineLongerThanTheKernelTakesAndRamTooSmall() {
        BzImage k = BzImage.parse("k", image(0x020f, 1, true));
        try (GuestMemory mem = GuestMemory.anonymous(List.of(new GuestMemory.Range(GuestAddress.of(0), 64 << 20)))) {
            assertTrue(assertThrows(BootImageException.class, () -> LinuxBoot.load(mem, k, "x".repeat(3000), new byte[0],
                    List.of(), 64 << 20, 0)).getMessage().startsWith("the command line is 3000 bytes; k takes at most 2047"));
            assertEquals("the initrd (64 MiB) does not fit in low RAM above the kernel; give the VM more memory",
                    assertThrows(BootImageException.class, () -> LinuxBoot.load(mem, k, "", new byte[64 << 20], List.of(),
                            64 << 20, 0)).getMessage());
        }
    }

    @Test
    void readsARealDebianKernelWhenTheLabHasOne() throws Exception {
        Path boot = Path.of(System.getProperty("user.home"), ".cache/rig-lab/kernel/boot");
        assumeTrue(Files.isDirectory(boot), "no lab kernel here (scripts/lab setup downloads one)");
        Path vmlinuz;
        try (Stream<Path> files = Files.list(boot)) {
            vmlinuz = files.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst().orElseThrow();
        }
        BzImage k = BzImage.read(vmlinuz);
        assertTrue(k.protocol() >= 0x020f, "Debian 6.x speaks protocol 2.15+: " + k.version());
        assertTrue(k.initSize() > k.kernel().length, "it decompresses into more than its size");
    }
}
