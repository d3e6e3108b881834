package dev.rig.cli.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * One round of `rig bench dma` on one side (Rig or the C reference), in nanoseconds: the VFIO set-up phases, then
 * for each map granularity the time to map all guest RAM and to unmap it, and how many calls that took.
 *
 * @param container open /dev/vfio/vfio, check the API version and the type1v2 extension
 * @param group     open /dev/vfio/N, check it is viable, VFIO_GROUP_SET_CONTAINER
 * @param iommu     VFIO_SET_IOMMU (type1v2)
 * @param device    VFIO_GROUP_GET_DEVICE_FD
 * @param info      VFIO_DEVICE_GET_INFO, every region's info (with its capability chain) and IRQ info
 * @param map       per granularity: VFIO_IOMMU_MAP_DMA of all guest RAM
 * @param unmap     per granularity: VFIO_IOMMU_UNMAP_DMA of the same
 * @param calls     per granularity: map calls made
 * @param close     closing the device, group and container fds
 */
public record DmaRound(long container, long group, long iommu, long device, long info, long[] map, long[] unmap,
                       int[] calls, long close) {

    /** Parses a line of the C reference ("container N group N ... map0 N unmap0 N calls0 N ... close N"). */
    public static DmaRound parse(String line, int granularities) {
        String[] words = line.trim().split("\\s+");
        if (words.length % 2 != 0) throw new IllegalArgumentException("C reference: odd line: " + line);
        Map<String, Long> values = new HashMap<>();
        for (int i = 0; i < words.length; i += 2) values.put(words[i], Long.parseLong(words[i + 1]));
        long[] map = new long[granularities], unmap = new long[granularities];
        int[] calls = new int[granularities];
        for (int i = 0; i < granularities; i++) {
            map[i] = field(values, "map" + i, line);
            unmap[i] = field(values, "unmap" + i, line);
            calls[i] = (int) field(values, "calls" + i, line);
        }
        return new DmaRound(field(values, "container", line), field(values, "group", line), field(values, "iommu", line),
                field(values, "device", line), field(values, "info", line), map, unmap, calls, field(values, "close", line));
    }

    private static long field(Map<String, Long> values, String name, String line) {
        Long v = values.get(name);
        if (v == null) throw new IllegalArgumentException("C reference: no " + name + " in: " + line);
        return v;
    }

    /** The set-up phases in order, with their names as the report prints them. */
    public static final String[] PHASES = {"container open (API, type1v2 check)", "group open + set container",
            "set IOMMU (type1v2)", "device fd", "device, region and IRQ info"};

    public long phase(int index) {
        return switch (index) {
            case 0 -> container;
            case 1 -> group;
            case 2 -> iommu;
            case 3 -> device;
            case 4 -> info;
            default -> throw new IndexOutOfBoundsException(index);
        };
    }
}
