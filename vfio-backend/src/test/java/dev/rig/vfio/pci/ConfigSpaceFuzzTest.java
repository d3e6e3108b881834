package dev.rig.vfio.pci;

import dev.rig.vfio.pci.PciFixtures.ArrayConfigSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random guest writes (fixed seed) must never change what the guest may not change: identity, header type,
 * capability pointers and links, BAR size and type bits, read-only capability fields, the clique capability; and
 * must never send a write to the device for a byte Rig emulates wholly.
 */
class ConfigSpaceFuzzTest {
    private static final int ITERATIONS = 40_000;

    /** What must hold after every write, captured from guest reads before the fuzzing starts. */
    private record Invariants(int ids, int classRev, int subsystem, int capPtr, int pin, List<Integer> caps,
                              List<Integer> capIds, BitSet wholeEmulated) {}

    private static Invariants capture(VirtualConfigSpace config, BitSet wholeEmulated) {
        List<Integer> caps = ConfigWalk.offsets(config);
        List<Integer> ids = new ArrayList<>();
        for (int c : caps) ids.add(config.read(c, 1));
        return new Invariants(config.read(0, 4), config.read(8, 4), config.read(0x2c, 4), config.read(0x34, 1),
                config.read(0x3d, 1), caps, ids, wholeEmulated);
    }

    /** Header bytes Rig answers alone: ids, class, header type, BARs, CIS, subsystem, ROM, pointer, line, pin. */
    private static BitSet headerEmulated() {
        BitSet b = new BitSet();
        b.set(0x00, 0x04);
        b.set(0x08, 0x0c);
        b.set(0x0e);
        b.set(0x10, 0x3e);
        return b;
    }

    private static void check(VirtualConfigSpace config, Invariants inv, long[] barSizes, long romSize,
                              ArrayConfigSource device, int writesBefore, String step) {
        assertEquals(inv.ids(), config.read(0, 4), step);
        assertEquals(inv.classRev(), config.read(8, 4), step);
        assertEquals(0, config.read(0x0e, 1) & 0x80, step);
        assertEquals(inv.subsystem(), config.read(0x2c, 4), step);
        assertEquals(0, config.read(0x28, 4), step);
        assertEquals(inv.capPtr(), config.read(0x34, 1), step);
        assertEquals(inv.pin(), config.read(0x3d, 1), step);
        assertEquals(inv.caps(), ConfigWalk.offsets(config), step);
        for (int i = 0; i < inv.caps().size(); i++) assertEquals(inv.capIds().get(i), config.read(inv.caps().get(i), 1), step);
        for (int i = 0; i < 6; i++) {
            int v = config.read(0x10 + 4 * i, 4);
            long size = barSizes[i];
            boolean upperHalf = i > 0 && barSizes[i - 1] != 0 && (config.read(0x10 + 4 * (i - 1), 4) & 0x7) == 0x4;
            if (upperHalf) {
                assertEquals(0, v & (int) ((barSizes[i - 1] - 1) >>> 32), step + " BAR" + i + " upper size bits");
            } else if (size == 0) {
                assertEquals(0, v, step + " unimplemented BAR" + i);
            } else {
                int flagBits = (v & 1) == 1 ? 0x3 : 0xf;
                assertEquals(0, v & (int) (size - 1) & ~flagBits, step + " BAR" + i + " size bits");
                assertEquals(PciFixtures.get(device.data, 0x10 + 4 * i, 4) & flagBits, v & flagBits, step + " BAR" + i + " type");
            }
        }
        int rom = config.read(0x30, 4);
        if (romSize == 0) assertEquals(0, rom, step);
        else assertEquals(0, rom & (int) (romSize - 1) & ~1, step + " ROM size bits");
        for (int[] w : device.writes.subList(writesBefore, device.writes.size()))  // what this guest write sent
            for (int i = 0; i < w[1]; i++)
                assertFalse(inv.wholeEmulated().get(w[0] + i), String.format("%s: device written at 0x%x", step, w[0] + i));
    }

    private static void fuzz(VirtualConfigSpace config, Invariants inv, long[] bars, long rom, ArrayConfigSource device,
                             Runnable extra, long seed) {
        Random random = new Random(seed);
        int size = config.size();
        for (int n = 0; n < ITERATIONS; n++) {
            int width = new int[] {1, 2, 4}[random.nextInt(3)];
            int offset = (random.nextInt(8) == 0 ? random.nextInt(size) : random.nextInt(256)) & -width;
            int value = switch (random.nextInt(4)) {
                case 0 -> -1;
                case 1 -> 0;
                default -> random.nextInt();
            };
            String step = String.format("write #%d of 0x%x (%d bytes) at 0x%x", n, value, width, offset);
            if (random.nextBoolean()) config.read(offset, width);
            int writesBefore = device.writes.size();
            config.write(offset, width, value);
            check(config, inv, bars, rom, device, writesBefore, step);
            extra.run();
        }
        assertTrue(device.writes.size() > ITERATIONS / 10, "pass-through writes were exercised too");
    }

    @Test
    void eduSurvivesRandomWrites() {
        ArrayConfigSource device = new ArrayConfigSource(PciFixtures.eduConfig());
        VirtualConfigSpace config = PciFixtures.edu(device);
        BitSet whole = headerEmulated();
        whole.set(0x40, 0x4e);  // MSI, 14 bytes
        Invariants inv = capture(config, whole);
        fuzz(config, inv, PciFixtures.EDU_BAR_SIZES, 0, device, () -> {
            int control = config.read(0x42, 2);
            assertEquals(0x0080, control & ~0x71, "MSI: 64-bit, 1 vector, nothing else");
            assertEquals(0, control & 0x70, "MSI: Multiple Message Enable never above the device's 1 vector");
        }, 0x5eed_ed0L);
    }

    @Test
    void gpuWithCliqueSurvivesRandomWrites() {
        ArrayConfigSource device = new ArrayConfigSource(PciFixtures.nvidiaGpuConfig());
        VirtualConfigSpace config = PciFixtures.gpu(device, true);
        GpuDirectClique.add(config, 7);
        byte[] clique = {0x09, 0x00, 0x08, 'P', '2', 'P', 7 << 3, 0x00};
        BitSet whole = headerEmulated();
        for (int cap : new int[] {0x60, 0x68, 0x78, 0xb4, 0xc8}) whole.set(cap, cap + 2);  // ids and links
        whole.set(0x68, 0x68 + 14);  // MSI
        whole.set(0xc8, 0xd4);       // MSI-X
        whole.set(0xd4, 0xdc);       // clique
        Invariants inv = capture(config, whole);
        fuzz(config, inv, PciFixtures.GPU_BAR_SIZES, PciFixtures.GPU_ROM_SIZE, device, () -> {
            assertEquals(0x0080, config.read(0x6a, 2) & ~0x71, "MSI control read-only bits");
            assertEquals(0, config.read(0x6a, 2) & 0x70, "MSI vectors");
            assertEquals(0x0005, config.read(0xca, 2) & 0x3fff, "MSI-X table size, reserved bits");
            assertEquals(0x00b90000, config.read(0xcc, 4));
            assertEquals(0x00ba0000, config.read(0xd0, 4));
            for (int i = 0; i < 8; i++) assertEquals(clique[i] & 0xff, config.read(0xd4 + i, 1), "clique byte " + i);
        }, 0x6d1_ec7L);
    }
}
