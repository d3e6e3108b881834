package dev.rig.vfio;

import dev.rig.vfio.sys.VfioStructs.RegionInfo;

import java.util.List;

/**
 * One region of a device (a BAR, the ROM, config space, VGA) as VFIO_DEVICE_GET_REGION_INFO reports it, with the
 * capabilities Rig reads from the chain: sparse mmap areas (cap 1), the region type (cap 2) and MSI-X mappable (cap 3).
 *
 * @param offset where the region lies in the device fd, for pread/pwrite/mmap
 * @param sparseAreas the only parts that may be mapped, when the kernel gives the sparse capability (it leaves the
 *                    MSI-X table out unless MSI-X is mappable); null when the capability is absent
 * @param type the device-specific region type, or null
 */
public record VfioRegionInfo(int index, int flags, long size, long offset, List<Area> sparseAreas, Type type,
                             boolean msixMappable) {
    /** An mmap-able area, relative to the region's start. */
    public record Area(long offset, long size) {
        public long end() { return offset + size; }
    }

    /** struct vfio_region_info_cap_type. */
    public record Type(int type, int subtype) {}

    public VfioRegionInfo {
        sparseAreas = sparseAreas == null ? null : List.copyOf(sparseAreas);
    }

    public boolean readable() { return (flags & RegionInfo.FLAG_READ) != 0; }

    public boolean writable() { return (flags & RegionInfo.FLAG_WRITE) != 0; }

    public boolean mmapable() { return (flags & RegionInfo.FLAG_MMAP) != 0; }

    /** Zero-sized regions stand for unimplemented BARs. */
    public boolean implemented() { return size != 0; }

    /** Where mmap is allowed: the sparse areas if given, else the whole region if it may be mapped, else nothing. */
    public List<Area> mmapAreas() {
        if (!mmapable() || size == 0) return List.of();
        return sparseAreas != null ? sparseAreas : List.of(new Area(0, size));
    }

    /** Whether [offset, offset+length) lies within one mmap-able area. */
    public boolean canMap(long offset, long length) {
        for (Area a : mmapAreas()) {
            if (offset >= a.offset() && length > 0 && offset + length <= a.end()) return true;
        }
        return false;
    }
}
