package dev.rig.vfio.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Layouts of the structs in include/uapi/linux/vfio.h (x86-64), with named field accessors. Both the production
 * code and the test fake read and write arguments only through these, so a layout mistake cannot hide in one side.
 * Unaligned value layouts: capability chains put structs at offsets the kernel chooses.
 */
public final class VfioStructs {
    private VfioStructs() {}

    /** A __u32 field at a fixed offset. */
    public record U32(long offset) {
        public int get(MemorySegment s) { return s.get(JAVA_INT_UNALIGNED, offset); }
        public void set(MemorySegment s, int v) { s.set(JAVA_INT_UNALIGNED, offset, v); }
    }

    /** A __u64 field at a fixed offset. */
    public record U64(long offset) {
        public long get(MemorySegment s) { return s.get(JAVA_LONG_UNALIGNED, offset); }
        public void set(MemorySegment s, long v) { s.set(JAVA_LONG_UNALIGNED, offset, v); }
    }

    /** A __u16 field at a fixed offset (read unsigned). */
    public record U16(long offset) {
        public int get(MemorySegment s) { return Short.toUnsignedInt(s.get(JAVA_SHORT_UNALIGNED, offset)); }
        public void set(MemorySegment s, int v) { s.set(JAVA_SHORT_UNALIGNED, offset, (short) v); }
    }

    private static long off(StructLayout l, String field) {
        return l.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    private static U32 u32(StructLayout l, String f) { return new U32(off(l, f)); }

    private static U64 u64(StructLayout l, String f) { return new U64(off(l, f)); }

    private static U16 u16(StructLayout l, String f) { return new U16(off(l, f)); }

    /** struct vfio_group_status. */
    public static final class GroupStatus {
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT_UNALIGNED.withName("argsz"), JAVA_INT_UNALIGNED.withName("flags")).withName("vfio_group_status");
        public static final U32 ARGSZ = u32(LAYOUT, "argsz"), FLAGS = u32(LAYOUT, "flags");
        public static final int FLAG_VIABLE = 1, FLAG_CONTAINER_SET = 1 << 1;

        private GroupStatus() {}
    }

    /** struct vfio_device_info (up to cap_offset, as the uapi header of this build defines it). */
    public static final class DeviceInfo {
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT_UNALIGNED.withName("argsz"), JAVA_INT_UNALIGNED.withName("flags"),
                JAVA_INT_UNALIGNED.withName("num_regions"), JAVA_INT_UNALIGNED.withName("num_irqs"),
                JAVA_INT_UNALIGNED.withName("cap_offset")).withName("vfio_device_info");
        public static final U32 ARGSZ = u32(LAYOUT, "argsz"), FLAGS = u32(LAYOUT, "flags"),
                NUM_REGIONS = u32(LAYOUT, "num_regions"), NUM_IRQS = u32(LAYOUT, "num_irqs"),
                CAP_OFFSET = u32(LAYOUT, "cap_offset");
        public static final int FLAG_RESET = 1, FLAG_PCI = 1 << 1, FLAG_CAPS = 1 << 7;

        private DeviceInfo() {}
    }

    /** struct vfio_region_info; a capability chain may follow when argsz allows. */
    public static final class RegionInfo {
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT_UNALIGNED.withName("argsz"), JAVA_INT_UNALIGNED.withName("flags"),
                JAVA_INT_UNALIGNED.withName("index"), JAVA_INT_UNALIGNED.withName("cap_offset"),
                JAVA_LONG_UNALIGNED.withName("size"), JAVA_LONG_UNALIGNED.withName("offset")).withName("vfio_region_info");
        public static final U32 ARGSZ = u32(LAYOUT, "argsz"), FLAGS = u32(LAYOUT, "flags"),
                INDEX = u32(LAYOUT, "index"), CAP_OFFSET = u32(LAYOUT, "cap_offset");
        public static final U64 SIZE = u64(LAYOUT, "size"), OFFSET = u64(LAYOUT, "offset");
        public static final int FLAG_READ = 1, FLAG_WRITE = 1 << 1, FLAG_MMAP = 1 << 2, FLAG_CAPS = 1 << 3;

        private RegionInfo() {}
    }

    /** struct vfio_info_cap_header: the link of every INFO capability chain; offsets count from the INFO start. */
    public static final class CapHeader {
        public static final StructLayout LAYOUT = structLayout(
                JAVA_SHORT_UNALIGNED.withName("id"), JAVA_SHORT_UNALIGNED.withName("version"),
                JAVA_INT_UNALIGNED.withName("next")).withName("vfio_info_cap_header");
        public static final U16 ID = u16(LAYOUT, "id"), VERSION = u16(LAYOUT, "version");
        public static final U32 NEXT = u32(LAYOUT, "next");

        private CapHeader() {}
    }

    /** Region capability ids. */
    public static final int REGION_CAP_SPARSE_MMAP = 1, REGION_CAP_TYPE = 2, REGION_CAP_MSIX_MAPPABLE = 3;

    /** struct vfio_region_info_cap_sparse_mmap: header, nr_areas, reserved, then {offset, size} areas. */
    public static final class SparseMmap {
        public static final StructLayout LAYOUT = structLayout(
                CapHeader.LAYOUT.withName("header"), JAVA_INT_UNALIGNED.withName("nr_areas"),
                JAVA_INT_UNALIGNED.withName("reserved")).withName("vfio_region_info_cap_sparse_mmap");
        public static final U32 NR_AREAS = u32(LAYOUT, "nr_areas");
        public static final StructLayout AREA = structLayout(
                JAVA_LONG_UNALIGNED.withName("offset"), JAVA_LONG_UNALIGNED.withName("size"))
                .withName("vfio_region_sparse_mmap_area");
        public static final U64 AREA_OFFSET = u64(AREA, "offset"), AREA_SIZE = u64(AREA, "size");

        private SparseMmap() {}
    }

    /** struct vfio_region_info_cap_type. */
    public static final class CapType {
        public static final StructLayout LAYOUT = structLayout(
                CapHeader.LAYOUT.withName("header"), JAVA_INT_UNALIGNED.withName("type"),
                JAVA_INT_UNALIGNED.withName("subtype")).withName("vfio_region_info_cap_type");
        public static final U32 TYPE = u32(LAYOUT, "type"), SUBTYPE = u32(LAYOUT, "subtype");

        private CapType() {}
    }

    /** struct vfio_irq_info. */
    public static final class IrqInfo {
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT_UNALIGNED.withName("argsz"), JAVA_INT_UNALIGNED.withName("flags"),
                JAVA_INT_UNALIGNED.withName("index"), JAVA_INT_UNALIGNED.withName("count")).withName("vfio_irq_info");
        public static final U32 ARGSZ = u32(LAYOUT, "argsz"), FLAGS = u32(LAYOUT, "flags"),
                INDEX = u32(LAYOUT, "index"), COUNT = u32(LAYOUT, "count");
        public static final int FLAG_EVENTFD = 1, FLAG_MASKABLE = 1 << 1, FLAG_AUTOMASKED = 1 << 2,
                FLAG_NORESIZE = 1 << 3;

        private IrqInfo() {}
    }

    /** struct vfio_irq_set: a 20-byte header, then data[] (bool bytes or __s32 eventfds). */
    public static final class IrqSet {
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT_UNALIGNED.withName("argsz"), JAVA_INT_UNALIGNED.withName("flags"),
                JAVA_INT_UNALIGNED.withName("index"), JAVA_INT_UNALIGNED.withName("start"),
                JAVA_INT_UNALIGNED.withName("count")).withName("vfio_irq_set");
        public static final U32 ARGSZ = u32(LAYOUT, "argsz"), FLAGS = u32(LAYOUT, "flags"),
                INDEX = u32(LAYOUT, "index"), START = u32(LAYOUT, "start"), COUNT = u32(LAYOUT, "count");
        public static final long DATA = LAYOUT.byteSize();
        public static final int DATA_NONE = 1, DATA_BOOL = 1 << 1, DATA_EVENTFD = 1 << 2,
                ACTION_MASK = 1 << 3, ACTION_UNMASK = 1 << 4, ACTION_TRIGGER = 1 << 5;

        private IrqSet() {}
    }

    /** vfio-pci's fixed region and IRQ indexes. */
    public static final int PCI_BAR0_REGION = 0, PCI_ROM_REGION = 6, PCI_CONFIG_REGION = 7, PCI_VGA_REGION = 8,
            PCI_NUM_REGIONS = 9;
    public static final int PCI_INTX_IRQ = 0, PCI_MSI_IRQ = 1, PCI_MSIX_IRQ = 2, PCI_ERR_IRQ = 3, PCI_REQ_IRQ = 4;

    /** struct vfio_iommu_type1_info (tail-padded to 24 bytes). */
    public static final class IommuType1Info {
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT_UNALIGNED.withName("argsz"), JAVA_INT_UNALIGNED.withName("flags"),
                JAVA_LONG_UNALIGNED.withName("iova_pgsizes"), JAVA_INT_UNALIGNED.withName("cap_offset"),
                paddingLayout(4)).withName("vfio_iommu_type1_info");
        public static final U32 ARGSZ = u32(LAYOUT, "argsz"), FLAGS = u32(LAYOUT, "flags");
        public static final U64 IOVA_PGSIZES = u64(LAYOUT, "iova_pgsizes");
        public static final int FLAG_PGSIZES = 1;

        private IommuType1Info() {}
    }

    /** struct vfio_iommu_type1_dma_map. */
    public static final class DmaMap {
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT_UNALIGNED.withName("argsz"), JAVA_INT_UNALIGNED.withName("flags"),
                JAVA_LONG_UNALIGNED.withName("vaddr"), JAVA_LONG_UNALIGNED.withName("iova"),
                JAVA_LONG_UNALIGNED.withName("size")).withName("vfio_iommu_type1_dma_map");
        public static final U32 ARGSZ = u32(LAYOUT, "argsz"), FLAGS = u32(LAYOUT, "flags");
        public static final U64 VADDR = u64(LAYOUT, "vaddr"), IOVA = u64(LAYOUT, "iova"), SIZE = u64(LAYOUT, "size");
        public static final int FLAG_READ = 1, FLAG_WRITE = 1 << 1;

        private DmaMap() {}
    }

    /** struct vfio_iommu_type1_dma_unmap (without the dirty-bitmap data[] tail). */
    public static final class DmaUnmap {
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT_UNALIGNED.withName("argsz"), JAVA_INT_UNALIGNED.withName("flags"),
                JAVA_LONG_UNALIGNED.withName("iova"), JAVA_LONG_UNALIGNED.withName("size"))
                .withName("vfio_iommu_type1_dma_unmap");
        public static final U32 ARGSZ = u32(LAYOUT, "argsz"), FLAGS = u32(LAYOUT, "flags");
        public static final U64 IOVA = u64(LAYOUT, "iova"), SIZE = u64(LAYOUT, "size");

        private DmaUnmap() {}
    }

    /** vfio-pci puts region N at fd offset N << 40 (VFIO_PCI_INDEX_TO_OFFSET); region info reports it too. */
    public static long pciRegionOffset(int index) {
        return (long) index << 40;
    }
}
