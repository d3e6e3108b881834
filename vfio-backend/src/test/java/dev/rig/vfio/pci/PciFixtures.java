package dev.rig.vfio.pci;

import dev.rig.kvm.pci.PciBar;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Recorded and synthetic config spaces, and a {@link ConfigSource} over bytes that logs what reaches the device. */
public final class PciFixtures {
    private PciFixtures() {}

    /**
     * QEMU 7.2's edu device (1234:11e8 rev 0x10, class 0x00ff00, BAR0 1 MiB 32-bit memory, MSI at 0x40), as the lab
     * printed it: xxd /sys/bus/pci/devices/0000:00:03.0/config inside L1, bound to vfio-pci (command 0x0103 there).
     */
    public static byte[] eduConfig() {
        byte[] c = new byte[256];
        byte[] head = HexFormat.of().parseHex(
                "3412e81103011000" + "1000ff0000000000"    // 0x00: ids, command, status, rev, class, cls/lat/hdr/bist
                + "0000a0fe00000000" + "0000000000000000"  // 0x10: BAR0 0xfea00000, BAR1..
                + "0000000000000000" + "00000000f41a0011"  // 0x20: ..BAR5, CIS, subsystem 1af4:1100
                + "0000000040000000" + "000000000b010000"  // 0x30: ROM, cap ptr 0x40, int line 0x0b pin 1
                + "0500800000000000");                     // 0x40: MSI, next 0, control 0x0080 (64-bit, 1 vector)
        System.arraycopy(head, 0, c, 0, head.length);
        return c;
    }

    public static final long[] EDU_BAR_SIZES = {1 << 20, 0, 0, 0, 0, 0};

    /**
     * A synthetic NVIDIA GPU laid out like an Ampere board: 10de:2204 class 0x030000, multi-function (HDMI audio is
     * function 1), BAR0 16 MiB 32-bit, BAR1 256 MiB and BAR3 32 MiB 64-bit prefetchable, BAR5 128-byte I/O, a 512 KiB
     * ROM, capabilities PM 0x60, MSI 0x68 (64-bit, 1 vector), PCIe v2 0x78, vendor 0xb4 (20 bytes), MSI-X 0xc8
     * (6 vectors, table BAR0+0xb90000, PBA BAR0+0xba0000): 0xc8 taken as on Turing and later. 4 KiB config space.
     */
    public static byte[] nvidiaGpuConfig() {
        byte[] c = new byte[4096];
        put(c, 0x00, 4, 0x220410de);
        put(c, 0x04, 4, 0x00100000);
        put(c, 0x08, 4, 0x030000a1);
        put(c, 0x0c, 4, 0x00800000);
        put(c, 0x10, 4, 0xfa000000);
        put(c, 0x14, 4, 0xe000000c);
        put(c, 0x1c, 4, 0xf000000c);
        put(c, 0x24, 4, 0x0000e001);
        put(c, 0x2c, 4, 0x146710de);
        put(c, 0x30, 4, 0xfb000000);
        put(c, 0x34, 1, 0x60);
        put(c, 0x3c, 2, 0x010b);
        put(c, 0x60, 4, 0x00036801);              // PM, next 0x68, PMC 0x0003
        put(c, 0x64, 4, 0x00000008);
        put(c, 0x68, 4, 0x00807805);              // MSI, next 0x78, 64-bit
        put(c, 0x78, 4, 0x0002b410);              // PCIe v2 endpoint, next 0xb4
        put(c, 0x7c, 4, 0x00008fe1);              // device capabilities
        put(c, 0x80, 4, 0x00002930);              // device control/status
        put(c, 0xb4, 4, 0x0014c809);              // vendor specific, next 0xc8, length 0x14
        put(c, 0xc8, 4, 0x00050011);              // MSI-X, next 0, 6 vectors
        put(c, 0xcc, 4, 0x00b90000);              // table: BIR 0, offset 0xb90000
        put(c, 0xd0, 4, 0x00ba0000);              // PBA: BIR 0, offset 0xba0000
        put(c, 0x100, 4, 0x00010002);             // extended: virtual channel, version 1, end
        return c;
    }

    public static final long[] GPU_BAR_SIZES = {16 << 20, 256L << 20, 0, 32 << 20, 0, 128};
    public static final long GPU_ROM_SIZE = 512 << 10;

    public static void put(byte[] c, int offset, int width, int value) {
        for (int i = 0; i < width; i++) c[offset + i] = (byte) (value >>> (8 * i));
    }

    public static int get(byte[] c, int offset, int width) {
        int v = 0;
        for (int i = width - 1; i >= 0; i--) v = (v << 8) | (c[offset + i] & 0xff);
        return v;
    }

    /** A device's config space over bytes: hardware-writable bits per byte, every write logged. */
    public static final class ArrayConfigSource implements ConfigSource {
        public final byte[] data;
        public final byte[] writable;
        public final List<int[]> writes = new ArrayList<>();  // {offset, width, value}

        public ArrayConfigSource(byte[] data) {
            this.data = data.clone();
            this.writable = new byte[data.length];
            // What software can change on real hardware: decode/master/INTx-disable, cache line, latency timer,
            // PM control (the GPU's), and the PCIe device control register.
            writable[0x04] = 0x07;
            writable[0x05] = 0x04;
            writable[0x0c] = (byte) 0xff;
            writable[0x0d] = (byte) 0xff;
            if (data.length > 0x81) {
                writable[0x64] = 0x03;
                writable[0x80] = (byte) 0xff;
                writable[0x81] = 0x7f;
            }
        }

        @Override public int size() { return data.length; }

        @Override public int read(int offset, int width) { return get(data, offset, width); }

        @Override public void write(int offset, int width, int value) {
            if ((width != 1 && width != 2 && width != 4) || offset % width != 0)
                throw new AssertionError("unaligned device access " + width + "@" + offset);
            writes.add(new int[] {offset, width, value});
            for (int i = 0; i < width; i++) {
                int w = writable[offset + i] & 0xff;
                data[offset + i] = (byte) ((data[offset + i] & ~w) | ((value >>> (8 * i)) & w));
            }
        }
    }

    public static VirtualConfigSpace edu(ArrayConfigSource source) {
        return VirtualConfigSpace.builder(source).barSizes(EDU_BAR_SIZES).build();
    }

    public static VirtualConfigSpace gpu(ArrayConfigSource source, boolean exposeRom) {
        return VirtualConfigSpace.builder(source).barSizes(GPU_BAR_SIZES).rom(GPU_ROM_SIZE, exposeRom).build();
    }

    /** Records listener calls as strings. */
    public static final class Recorder implements ConfigSpaceListener {
        public final List<String> events = new ArrayList<>();

        @Override public void barMoved(PciBar bar, long o, long n) { events.add(String.format("moved %d 0x%x->0x%x", bar.index(), o, n)); }
        @Override public void commandChanged(int o, int n) { events.add(String.format("command 0x%x->0x%x", o, n)); }
        @Override public void msiEnabled(boolean e, int v) { events.add("msi " + e + " x" + v); }
        @Override public void msiVectorProgrammed(int v, MsiMessage m) { events.add("msi vector " + v + " " + m); }
        @Override public void msiVectorMasked(int v, boolean m) { events.add("msi mask " + v + " " + m); }
        @Override public void msixEnabled(boolean e, boolean m) { events.add("msix " + e + " masked " + m); }
        @Override public void msixVectorProgrammed(int v, MsiMessage m) { events.add("msix vector " + v + " " + m); }
        @Override public void msixVectorMasked(int v, boolean m) { events.add("msix mask " + v + " " + m); }
    }
}
