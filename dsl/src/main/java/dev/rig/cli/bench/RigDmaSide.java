package dev.rig.cli.bench;

import dev.rig.engine.alloc.AddressRange;
import dev.rig.kvm.GuestAddress;
import dev.rig.kvm.GuestMemory;
import dev.rig.vfio.DmaMapping;
import dev.rig.vfio.VfioContainer;
import dev.rig.vfio.VfioGroup;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Rig's side of `rig bench dma`: guest RAM as a run allocates it (GuestMemory, one anonymous mapping per range),
 * touched once so rounds time pinning and IOMMU mapping rather than page faults, and each round the real
 * vfio-backend calls: open the container, attach the group (sets the IOMMU), open the device, map all RAM, unmap
 * it, close.
 */
final class RigDmaSide implements AutoCloseable {
    private final String bdf;
    private final int group;
    private final GuestMemory memory;
    private final List<List<DmaChunks.Chunk>> plans = new ArrayList<>();
    private final List<List<MemorySegment>> hosts = new ArrayList<>();

    RigDmaSide(String bdf, int group, List<AddressRange> ram, List<Long> granularities) {
        this.bdf = bdf;
        this.group = group;
        memory = GuestMemory.anonymous(ram.stream().map(r -> new GuestMemory.Range(GuestAddress.of(r.start()), r.size())).toList());
        for (GuestMemory.Region r : memory.regions()) {
            for (long off = 0; off < r.size(); off += 4096) r.host().set(ValueLayout.JAVA_BYTE, off, (byte) 1);
        }
        for (long g : granularities) {
            List<DmaChunks.Chunk> plan = DmaChunks.of(ram, g);
            plans.add(plan);
            hosts.add(plan.stream().map(c -> memory.regions().get(c.range()).host().asSlice(c.offset(), c.size())).toList());
        }
    }

    /** Where each RAM mapping starts within a 2 MiB page. */
    List<Long> hugePageOffsets() {
        return memory.regions().stream().map(r -> r.host().address() & ((2L << 20) - 1)).toList();
    }

    DmaRound round() {
        PhaseClockVfioSys sys = new PhaseClockVfioSys();
        long[] map = new long[plans.size()], unmap = new long[plans.size()];
        int[] calls = new int[plans.size()];
        long t0 = System.nanoTime();
        VfioContainer container = VfioContainer.open(sys);
        long t1, t2, t3, c0;
        try {
            t1 = System.nanoTime();
            VfioGroup g = container.group(group);
            t2 = System.nanoTime();
            g.device(bdf);
            t3 = System.nanoTime();
            for (int i = 0; i < plans.size(); i++) {
                List<DmaChunks.Chunk> plan = plans.get(i);
                List<MemorySegment> host = hosts.get(i);
                DmaMapping[] mappings = new DmaMapping[plan.size()];
                long m0 = System.nanoTime();
                for (int c = 0; c < mappings.length; c++) mappings[c] = container.mapDma(plan.get(c).iova(), host.get(c), true, true);
                long m1 = System.nanoTime();
                for (DmaMapping m : mappings) container.unmapDma(m);
                long m2 = System.nanoTime();
                map[i] = m1 - m0;
                unmap[i] = m2 - m1;
                calls[i] = mappings.length;
            }
        } finally {
            c0 = System.nanoTime();
            container.close();
        }
        long end = System.nanoTime();
        return new DmaRound(t1 - t0, sys.setIommuStart - t1, t2 - sys.setIommuStart, sys.deviceFdEnd - t2,
                t3 - sys.deviceFdEnd, map, unmap, calls, end - c0);
    }

    @Override
    public void close() { memory.close(); }
}
