package dev.rig.vfio;

import dev.rig.sys.Errno;
import dev.rig.sys.SyscallException;
import dev.rig.vfio.sys.VfioIoctls;
import dev.rig.vfio.sys.VfioStructs;
import dev.rig.vfio.sys.VfioStructs.CapHeader;
import dev.rig.vfio.sys.VfioStructs.CapType;
import dev.rig.vfio.sys.VfioStructs.RegionInfo;
import dev.rig.vfio.sys.VfioStructs.SparseMmap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * VFIO_DEVICE_GET_REGION_INFO with its capability chain. The kernel answers a too-small argsz with the CAPS flag
 * and the size it needs, so the call is made again with a buffer that large; then the chain is walked (offsets
 * count from the start of the buffer) with a guard against loops and out-of-bounds links.
 */
final class RegionInfoReader {
    private static final int MAX_CAPS = 64;

    private RegionInfoReader() {}

    static VfioRegionInfo read(VfioDevice device, int index) {
        try (Arena arena = Arena.ofConfined()) {
            long fixed = RegionInfo.LAYOUT.byteSize();
            MemorySegment info = query(device, arena, index, fixed);
            if (info == null) return new VfioRegionInfo(index, 0, 0, 0, null, null, false);
            long needed = Integer.toUnsignedLong(RegionInfo.ARGSZ.get(info));
            if ((RegionInfo.FLAGS.get(info) & RegionInfo.FLAG_CAPS) != 0 && needed > fixed) {
                if (needed > 1 << 20) throw new VfioException(device + " region " + index + " asks for an implausible "
                        + needed + "-byte info buffer");
                info = query(device, arena, index, needed);
            }
            return parse(device + " region " + index, index, info);
        }
    }

    /** One GET_REGION_INFO call; null when the index is not implemented (EINVAL, e.g. VGA on a non-VGA device). */
    private static MemorySegment query(VfioDevice device, Arena arena, int index, long argsz) {
        MemorySegment info = arena.allocate(argsz, 8);
        RegionInfo.ARGSZ.set(info, (int) argsz);
        RegionInfo.INDEX.set(info, index);
        try {
            device.fd().ioctl(VfioIoctls.DEVICE_GET_REGION_INFO, info);
        } catch (SyscallException e) {
            if (e.errno() == Errno.EINVAL) return null;
            throw new VfioException(device.toString(), e, null);
        }
        return info;
    }

    /** Decodes the fixed part and the chain; {@code what} names the region in errors. */
    static VfioRegionInfo parse(String what, int index, MemorySegment info) {
        int flags = RegionInfo.FLAGS.get(info);
        List<VfioRegionInfo.Area> sparse = null;
        VfioRegionInfo.Type type = null;
        boolean msixMappable = false;
        long fixed = RegionInfo.LAYOUT.byteSize();
        long capOffset = (flags & RegionInfo.FLAG_CAPS) != 0 && info.byteSize() > fixed
                ? Integer.toUnsignedLong(RegionInfo.CAP_OFFSET.get(info)) : 0;
        Set<Long> seen = new HashSet<>();
        while (capOffset != 0) {
            if (capOffset < fixed || capOffset + CapHeader.LAYOUT.byteSize() > info.byteSize()
                    || !seen.add(capOffset) || seen.size() > MAX_CAPS)
                throw new VfioException(what + ": malformed capability chain at offset " + capOffset);
            MemorySegment cap = info.asSlice(capOffset);
            int id = CapHeader.ID.get(cap);
            switch (id) {
                case VfioStructs.REGION_CAP_SPARSE_MMAP -> {
                    need(what, cap, SparseMmap.LAYOUT.byteSize());
                    long n = Integer.toUnsignedLong(SparseMmap.NR_AREAS.get(cap));
                    long areaSize = SparseMmap.AREA.byteSize();
                    need(what, cap, SparseMmap.LAYOUT.byteSize() + n * areaSize);
                    sparse = new ArrayList<>();
                    for (long i = 0; i < n; i++) {
                        MemorySegment a = cap.asSlice(SparseMmap.LAYOUT.byteSize() + i * areaSize, areaSize);
                        long size = SparseMmap.AREA_SIZE.get(a);
                        if (size != 0) sparse.add(new VfioRegionInfo.Area(SparseMmap.AREA_OFFSET.get(a), size));
                    }
                }
                case VfioStructs.REGION_CAP_TYPE -> {
                    need(what, cap, CapType.LAYOUT.byteSize());
                    type = new VfioRegionInfo.Type(CapType.TYPE.get(cap), CapType.SUBTYPE.get(cap));
                }
                case VfioStructs.REGION_CAP_MSIX_MAPPABLE -> msixMappable = true;
                default -> { }  // capabilities Rig does not use (NVLink2 targets, ...)
            }
            capOffset = Integer.toUnsignedLong(CapHeader.NEXT.get(cap));
        }
        return new VfioRegionInfo(index, flags, RegionInfo.SIZE.get(info), RegionInfo.OFFSET.get(info), sparse, type,
                msixMappable);
    }

    private static void need(String what, MemorySegment cap, long bytes) {
        if (cap.byteSize() < bytes) throw new VfioException(what + ": capability " + CapHeader.ID.get(cap)
                + " runs past the end of the info buffer");
    }
}
