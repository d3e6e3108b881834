package dev.rig.vfio.fake;

import dev.rig.sys.Errno;
import dev.rig.vfio.sys.VfioStructs;
import dev.rig.vfio.sys.VfioStructs.CapHeader;
import dev.rig.vfio.sys.VfioStructs.CapType;
import dev.rig.vfio.sys.VfioStructs.SparseMmap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A recorded VFIO device for {@link FakeVfioHost}: info flags, regions (with capability chains), IRQ indexes, a
 * config space with the bits hardware lets software write, and memory behind each BAR region (allocated on first use).
 */
public final class FakeDevice {
    /** A region as GET_REGION_INFO describes it; sparse areas are {offset, size} pairs. */
    public record Region(int index, long size, int flags, List<long[]> sparseAreas, int[] type, boolean msixMappable) {
        /** The bytes of the capability chain that follows the fixed struct, links counted from the struct's start. */
        byte[] capabilityChain() {
            List<MemorySegment> caps = new ArrayList<>();
            try (Arena arena = Arena.ofConfined()) {
                if (sparseAreas != null) {
                    long len = SparseMmap.LAYOUT.byteSize() + sparseAreas.size() * SparseMmap.AREA.byteSize();
                    MemorySegment c = arena.allocate(len, 8);
                    CapHeader.ID.set(c, VfioStructs.REGION_CAP_SPARSE_MMAP);
                    CapHeader.VERSION.set(c, 1);
                    SparseMmap.NR_AREAS.set(c, sparseAreas.size());
                    for (int i = 0; i < sparseAreas.size(); i++) {
                        MemorySegment a = c.asSlice(SparseMmap.LAYOUT.byteSize() + i * SparseMmap.AREA.byteSize());
                        SparseMmap.AREA_OFFSET.set(a, sparseAreas.get(i)[0]);
                        SparseMmap.AREA_SIZE.set(a, sparseAreas.get(i)[1]);
                    }
                    caps.add(c);
                }
                if (type != null) {
                    MemorySegment c = arena.allocate(CapType.LAYOUT.byteSize(), 8);
                    CapHeader.ID.set(c, VfioStructs.REGION_CAP_TYPE);
                    CapHeader.VERSION.set(c, 1);
                    CapType.TYPE.set(c, type[0]);
                    CapType.SUBTYPE.set(c, type[1]);
                    caps.add(c);
                }
                if (msixMappable) {
                    MemorySegment c = arena.allocate(CapHeader.LAYOUT.byteSize(), 8);
                    CapHeader.ID.set(c, VfioStructs.REGION_CAP_MSIX_MAPPABLE);
                    CapHeader.VERSION.set(c, 1);
                    caps.add(c);
                }
                // Chain them: each next is an offset from the start of the info struct (the chain follows it).
                long base = VfioStructs.RegionInfo.LAYOUT.byteSize(), at = base;
                for (int i = 0; i < caps.size(); i++) {
                    at += caps.get(i).byteSize();
                    CapHeader.NEXT.set(caps.get(i), i + 1 < caps.size() ? (int) at : 0);
                }
                byte[] out = new byte[(int) (at - base)];
                int pos = 0;
                for (MemorySegment c : caps) {
                    MemorySegment.copy(c, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, out, pos, (int) c.byteSize());
                    pos += (int) c.byteSize();
                }
                return out;
            }
        }

        boolean mappable(long offset, long length) {
            if ((flags & VfioStructs.RegionInfo.FLAG_MMAP) == 0) return false;
            if (sparseAreas == null) return offset >= 0 && offset + length <= size;
            for (long[] a : sparseAreas) if (offset >= a[0] && offset + length <= a[0] + a[1]) return true;
            return false;
        }
    }

    public record Irq(int index, int count, int flags) {}

    final String name;
    final int flags;
    final int numRegions, numIrqs;
    final Map<Integer, Region> regions = new HashMap<>();
    final Map<Integer, Irq> irqs = new HashMap<>();
    final byte[] config;
    final byte[] configWritable;
    private final Map<Integer, MemorySegment> backing = new HashMap<>();
    /** Per IRQ index, the eventfds (or -1) the last SET_IRQS trigger installed, by vector. */
    final Map<Integer, Map<Integer, Integer>> triggers = new HashMap<>();
    int resets;

    public FakeDevice(String name, int flags, int numRegions, int numIrqs, byte[] config) {
        this.name = name;
        this.flags = flags;
        this.numRegions = numRegions;
        this.numIrqs = numIrqs;
        this.config = config.clone();
        this.configWritable = new byte[config.length];
        // Like hardware: software can write the command register's decode/master/INTx-disable bits and the BARs.
        configWritable[0x04] = 0x07;
        configWritable[0x05] = 0x04;
        for (int i = 0x10; i < 0x28; i++) configWritable[i] = (byte) 0xff;
    }

    public FakeDevice region(int index, long size, int flags) {
        return region(new Region(index, size, flags, null, null, false));
    }

    public FakeDevice region(Region r) {
        regions.put(r.index(), r);
        return this;
    }

    public FakeDevice irq(int index, int count, int flags) {
        irqs.put(index, new Irq(index, count, flags));
        return this;
    }

    public String name() { return name; }

    public int resets() { return resets; }

    public byte[] config() { return config.clone(); }

    /** The vector -> eventfd assignments of an IRQ index (empty when disabled). */
    public Map<Integer, Integer> triggers(int index) {
        return Map.copyOf(triggers.getOrDefault(index, Map.of()));
    }

    /** The memory behind a BAR region, allocated on first use (page aligned, so it can be "mmapped"). */
    MemorySegment backing(int index, Arena arena) {
        Region r = regions.get(index);
        return backing.computeIfAbsent(index, i -> arena.allocate(r.size(), 4096));
    }

    /** pread/pwrite of a region: returns the count, or -errno. */
    long access(int index, long within, MemorySegment buf, boolean write, Arena arena) {
        Region r = regions.get(index);
        if (r == null || r.size() == 0) return -Errno.EINVAL;
        int need = write ? VfioStructs.RegionInfo.FLAG_WRITE : VfioStructs.RegionInfo.FLAG_READ;
        if ((r.flags() & need) == 0) return -Errno.EINVAL;
        long n = Math.min(buf.byteSize(), r.size() - within);
        if (n <= 0) return 0;
        if (index == VfioStructs.PCI_CONFIG_REGION) {
            for (int i = 0; i < n; i++) {
                int at = (int) within + i;
                if (write) {
                    int w = configWritable[at] & 0xff;
                    config[at] = (byte) ((config[at] & ~w) | (buf.getAtIndex(java.lang.foreign.ValueLayout.JAVA_BYTE, i) & w));
                } else {
                    buf.setAtIndex(java.lang.foreign.ValueLayout.JAVA_BYTE, i, config[at]);
                }
            }
            return n;
        }
        MemorySegment mem = backing(index, arena);
        if (write) MemorySegment.copy(buf, 0, mem, within, n);
        else MemorySegment.copy(mem, within, buf, 0, n);
        return n;
    }
}
