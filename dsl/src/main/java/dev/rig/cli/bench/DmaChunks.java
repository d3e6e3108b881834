package dev.rig.cli.bench;

import dev.rig.engine.alloc.AddressRange;

import java.util.ArrayList;
import java.util.List;

/**
 * How guest RAM is handed to VFIO_IOMMU_MAP_DMA: one call per RAM range (what Rig, Cloud Hypervisor and QEMU do
 * for plain RAM), or in pieces of a fixed size, which multiplies the calls and so shows any per-call overhead.
 * IOVA = guest physical address.
 */
public final class DmaChunks {
    /** One map call: {@code size} bytes of RAM range {@code range}, from {@code offset} into it, at {@code iova}. */
    public record Chunk(int range, long offset, long iova, long size) {}

    private DmaChunks() {}

    /** @param granularity bytes per call, 0 for one call per range */
    public static List<Chunk> of(List<AddressRange> ram, long granularity) {
        if (granularity < 0 || (granularity & 0xfff) != 0)
            throw new IllegalArgumentException("map granularity must be a multiple of 4 KiB, got " + granularity);
        List<Chunk> chunks = new ArrayList<>();
        for (int r = 0; r < ram.size(); r++) {
            AddressRange range = ram.get(r);
            long step = granularity == 0 ? range.size() : granularity;
            for (long off = 0; off < range.size(); off += step)
                chunks.add(new Chunk(r, off, range.start() + off, Math.min(step, range.size() - off)));
        }
        return chunks;
    }
}
