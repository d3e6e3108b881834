package dev.rig.vfio;

import dev.rig.sys.Errno;
import dev.rig.sys.SyscallException;
import dev.rig.vfio.sys.NativeVfioSys;
import dev.rig.vfio.sys.SysFd;
import dev.rig.vfio.sys.VfioIoctls;
import dev.rig.vfio.sys.VfioStructs.DmaMap;
import dev.rig.vfio.sys.VfioStructs.DmaUnmap;
import dev.rig.vfio.sys.VfioStructs.IommuType1Info;
import dev.rig.vfio.sys.VfioSys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A VFIO container (/dev/vfio/vfio): one IOMMU address space shared by its groups. It checks the API version and
 * the type1v2 IOMMU when opened, sets the IOMMU type when the first group joins (the kernel allows it only then),
 * opens each group once, and keeps every DMA mapping it makes so that closing it unmaps them all.
 * Closing order: devices, DMA mappings, groups, the container fd.
 */
public final class VfioContainer implements AutoCloseable {
    public static final String DEVICE_PATH = "/dev/vfio/vfio";

    private final VfioSys sys;
    private final SysFd fd;
    private final Map<Integer, VfioGroup> groups = new TreeMap<>();
    // By IOVA: the overlap check looks at two neighbours, not every mapping (a VMM may map RAM in 2 MiB pieces).
    private final java.util.NavigableMap<Long, DmaMapping> byIova = new TreeMap<>();
    private long mappedBytes;
    private boolean iommuSet;

    private VfioContainer(VfioSys sys, SysFd fd) {
        this.sys = sys;
        this.fd = fd;
    }

    public static VfioContainer open() {
        return open(NativeVfioSys.INSTANCE);
    }

    /** Opens the container and checks that the kernel speaks VFIO API 0 with the type1v2 IOMMU. */
    public static VfioContainer open(VfioSys sys) {
        SysFd fd;
        try {
            fd = new SysFd(sys, sys.open(DEVICE_PATH, dev.rig.sys.Libc.O_RDWR), DEVICE_PATH);
        } catch (SyscallException e) {
            String hint = switch (e.errno()) {
                case Errno.ENOENT, Errno.ENODEV, Errno.ENXIO -> "Load VFIO (sudo modprobe vfio-pci) and enable the "
                        + "IOMMU: VT-d/AMD-Vi in the firmware and intel_iommu=on or amd_iommu=on on the kernel command line";
                case Errno.EACCES, Errno.EPERM -> "Grant access to " + DEVICE_PATH + " (it is normally mode 0666)";
                default -> null;
            };
            throw new VfioException("VFIO container", e, hint);
        }
        VfioContainer container = new VfioContainer(sys, fd);
        try {
            container.checkKernel();
            return container;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private void checkKernel() {
        int version = ioctl(VfioIoctls.GET_API_VERSION, 0, null);
        if (version != VfioIoctls.API_VERSION)
            throw new VfioException(DEVICE_PATH + " speaks VFIO API " + version + ", Rig needs API "
                    + VfioIoctls.API_VERSION + ": this kernel's VFIO is not one Rig knows");
        if (ioctl(VfioIoctls.CHECK_EXTENSION, VfioIoctls.TYPE1V2_IOMMU, null) <= 0)
            throw new VfioException(DEVICE_PATH + " does not offer the type1v2 IOMMU (VFIO_CHECK_EXTENSION("
                    + VfioIoctls.TYPE1V2_IOMMU + ") = 0): load vfio_iommu_type1 (sudo modprobe vfio_iommu_type1) and "
                    + "check that the IOMMU is on (dmesg | grep -i -e DMAR -e AMD-Vi -e iommu)");
    }

    /** VFIO_CHECK_EXTENSION: 0 when absent. */
    public int checkExtension(int extension) {
        return ioctl(VfioIoctls.CHECK_EXTENSION, extension, null);
    }

    /**
     * The group with this number, attached to this container; opened and attached on first use, the same object
     * afterwards (several devices of one group share it).
     */
    public synchronized VfioGroup group(int number) {
        requireOpen();
        VfioGroup group = groups.get(number);
        if (group == null) {
            group = VfioGroup.open(this, number);  // closes itself if it cannot join
            try {
                if (!iommuSet) {
                    ioctl(VfioIoctls.SET_IOMMU, VfioIoctls.TYPE1V2_IOMMU,
                            "the IOMMU type can be set only once a group is attached; check dmesg for the IOMMU driver");
                    iommuSet = true;
                }
            } catch (RuntimeException e) {
                group.close();
                throw e;
            }
            groups.put(number, group);
        }
        return group;
    }

    public synchronized List<VfioGroup> groups() { return List.copyOf(groups.values()); }

    /** A group closed: when it was the last, the kernel drops the IOMMU and every mapping with it. */
    synchronized void forget(VfioGroup group) {
        groups.remove(group.number());
        if (groups.isEmpty()) {
            byIova.clear();
            mappedBytes = 0;
            iommuSet = false;
        }
    }

    /** VFIO_IOMMU_GET_INFO: the IOMMU page sizes (a bitmap); needs an attached group. */
    public long iommuPageSizes() {
        requireIommu();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(IommuType1Info.LAYOUT.byteSize(), 8);
            IommuType1Info.ARGSZ.set(info, (int) IommuType1Info.LAYOUT.byteSize());
            ioctl(VfioIoctls.IOMMU_GET_INFO, info);
            return (IommuType1Info.FLAGS.get(info) & IommuType1Info.FLAG_PGSIZES) != 0
                    ? IommuType1Info.IOVA_PGSIZES.get(info) : 0;
        }
    }

    /**
     * VFIO_IOMMU_MAP_DMA: makes host memory visible to the container's devices at {@code iova}. The memory must
     * stay mapped in this process as long as the mapping exists. ENOMEM means RLIMIT_MEMLOCK: the error says so.
     */
    public synchronized DmaMapping mapDma(long iova, MemorySegment host, boolean deviceReads, boolean deviceWrites) {
        requireIommu();
        long size = host.byteSize();
        if (!host.isNative()) throw new IllegalArgumentException("DMA mapping needs native (off-heap) memory");
        if (size == 0 || ((iova | size | host.address()) & 0xfff) != 0)
            throw new IllegalArgumentException(String.format("DMA mapping IOVA 0x%x size 0x%x vaddr 0x%x: all three "
                    + "must be 4 KiB aligned and the size non-zero", iova, size, host.address()));
        if (!deviceReads && !deviceWrites) throw new IllegalArgumentException("DMA mapping must allow read or write");
        for (var neighbour : java.util.Arrays.asList(byIova.floorEntry(iova), byIova.ceilingEntry(iova))) {
            if (neighbour != null && neighbour.getValue().overlaps(iova, size))
                throw new IllegalArgumentException(String.format("DMA mapping IOVA 0x%x+0x%x overlaps %s", iova, size,
                        neighbour.getValue()));
        }
        DmaMapping mapping = new DmaMapping(iova, host.address(), size, deviceReads, deviceWrites);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment map = arena.allocate(DmaMap.LAYOUT.byteSize(), 8);
            DmaMap.ARGSZ.set(map, (int) DmaMap.LAYOUT.byteSize());
            DmaMap.FLAGS.set(map, (deviceReads ? DmaMap.FLAG_READ : 0) | (deviceWrites ? DmaMap.FLAG_WRITE : 0));
            DmaMap.VADDR.set(map, mapping.vaddr());
            DmaMap.IOVA.set(map, iova);
            DmaMap.SIZE.set(map, size);
            fd.ioctl(VfioIoctls.IOMMU_MAP_DMA, map);
        } catch (SyscallException e) {
            throw mapFailure(mapping, e);
        }
        byIova.put(iova, mapping);
        mappedBytes += size;
        return mapping;
    }

    private VfioException mapFailure(DmaMapping mapping, SyscallException e) {
        String what = String.format("VFIO container: mapping %s (%s) for DMA", mapping, VfioMemlock.size(mapping.size()));
        if (e.errno() == Errno.ENOMEM) {
            VfioMemlock memlock = VfioMemlock.current(sys);
            long mapped = mappedBytes();
            return new VfioException(what + " failed: ENOMEM. VFIO pins mapped memory and the kernel refused to pin "
                    + "more: RLIMIT_MEMLOCK is " + VfioMemlock.size(memlock.softLimit()) + ", " + VfioMemlock.size(mapped)
                    + " mapped already, " + VfioMemlock.size(mapped + mapping.size()) + " needed. "
                    + memlock.howToRaise(mapped + mapping.size()), e);
        }
        String hint = e.errno() == Errno.EEXIST ? "the IOVA range is mapped already"
                : e.errno() == Errno.EINVAL ? "check alignment to the IOMMU page size and that the IOVA lies in the "
                + "IOMMU's aperture (VFIO_IOMMU_GET_INFO)" : null;
        return new VfioException(what, e, hint);
    }

    /** VFIO_IOMMU_UNMAP_DMA of one mapping made here. */
    public synchronized void unmapDma(DmaMapping mapping) {
        if (!mapping.equals(byIova.get(mapping.iova()))) throw new IllegalArgumentException(mapping + " is not mapped in this container");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment unmap = arena.allocate(DmaUnmap.LAYOUT.byteSize(), 8);
            DmaUnmap.ARGSZ.set(unmap, (int) DmaUnmap.LAYOUT.byteSize());
            DmaUnmap.IOVA.set(unmap, mapping.iova());
            DmaUnmap.SIZE.set(unmap, mapping.size());
            ioctl(VfioIoctls.IOMMU_UNMAP_DMA, unmap);
        } finally {
            if (byIova.remove(mapping.iova()) != null) mappedBytes -= mapping.size();  // after a failed unmap the kernel drops it with the container anyway
        }
    }

    /** The mappings made here, by IOVA. */
    public synchronized List<DmaMapping> dmaMappings() { return List.copyOf(byIova.values()); }

    public synchronized long mappedBytes() {
        return mappedBytes;
    }

    VfioSys sys() { return sys; }

    SysFd fd() { return fd; }

    private void requireOpen() {
        if (fd.isClosed()) throw new IllegalStateException("VFIO container is closed");
    }

    private void requireIommu() {
        requireOpen();
        if (!iommuSet) throw new IllegalStateException("VFIO container has no group yet: attach one (group(n)) "
                + "before mapping DMA, the IOMMU exists only then");
    }

    private int ioctl(dev.rig.sys.IoctlRequest request, long arg, String hint) {
        try {
            return fd.ioctl(request, arg);
        } catch (SyscallException e) {
            throw new VfioException("VFIO container", e, hint);
        }
    }

    private int ioctl(dev.rig.sys.IoctlRequest request, MemorySegment arg) {
        try {
            return fd.ioctl(request, arg);
        } catch (SyscallException e) {
            throw new VfioException("VFIO container", e, null);
        }
    }

    /** Closes every device, unmaps every DMA mapping, closes every group, then the container; the first error wins. */
    @Override
    public synchronized void close() {
        if (fd.isClosed()) return;
        RuntimeException first = null;
        for (VfioGroup g : List.copyOf(groups.values())) {
            try {
                g.closeDevices();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        for (DmaMapping m : List.copyOf(byIova.values())) {
            try {
                unmapDma(m);
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        for (VfioGroup g : List.copyOf(groups.values())) {
            try {
                g.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        groups.clear();
        try {
            fd.close();
        } catch (RuntimeException e) {
            if (first == null) first = e;
        }
        if (first != null) throw first;
    }
}
