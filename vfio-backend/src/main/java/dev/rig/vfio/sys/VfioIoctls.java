package dev.rig.vfio.sys;

import dev.rig.sys.IoctlRequest;

import static dev.rig.sys.IoctlRequest.io;

/**
 * VFIO ioctl requests (include/uapi/linux/vfio.h). VFIO defines every request with _IO(VFIO_TYPE, VFIO_BASE + n)
 * and carries the struct size in the struct's own argsz field instead, so no size is encoded here.
 */
public final class VfioIoctls {
    /** ';' */
    public static final int VFIO_TYPE = 0x3b;
    public static final int VFIO_BASE = 100;

    private VfioIoctls() {}

    private static IoctlRequest vfio(String name, int n) {
        return io(name, VFIO_TYPE, VFIO_BASE + n);
    }

    // On the container (/dev/vfio/vfio).
    public static final IoctlRequest GET_API_VERSION = vfio("VFIO_GET_API_VERSION", 0);
    public static final IoctlRequest CHECK_EXTENSION = vfio("VFIO_CHECK_EXTENSION", 1);
    public static final IoctlRequest SET_IOMMU = vfio("VFIO_SET_IOMMU", 2);
    public static final IoctlRequest IOMMU_GET_INFO = vfio("VFIO_IOMMU_GET_INFO", 12);
    public static final IoctlRequest IOMMU_MAP_DMA = vfio("VFIO_IOMMU_MAP_DMA", 13);
    public static final IoctlRequest IOMMU_UNMAP_DMA = vfio("VFIO_IOMMU_UNMAP_DMA", 14);
    // On a group (/dev/vfio/N).
    public static final IoctlRequest GROUP_GET_STATUS = vfio("VFIO_GROUP_GET_STATUS", 3);
    public static final IoctlRequest GROUP_SET_CONTAINER = vfio("VFIO_GROUP_SET_CONTAINER", 4);
    public static final IoctlRequest GROUP_UNSET_CONTAINER = vfio("VFIO_GROUP_UNSET_CONTAINER", 5);
    public static final IoctlRequest GROUP_GET_DEVICE_FD = vfio("VFIO_GROUP_GET_DEVICE_FD", 6);
    // On a device fd.
    public static final IoctlRequest DEVICE_GET_INFO = vfio("VFIO_DEVICE_GET_INFO", 7);
    public static final IoctlRequest DEVICE_GET_REGION_INFO = vfio("VFIO_DEVICE_GET_REGION_INFO", 8);
    public static final IoctlRequest DEVICE_GET_IRQ_INFO = vfio("VFIO_DEVICE_GET_IRQ_INFO", 9);
    public static final IoctlRequest DEVICE_SET_IRQS = vfio("VFIO_DEVICE_SET_IRQS", 10);
    public static final IoctlRequest DEVICE_RESET = vfio("VFIO_DEVICE_RESET", 11);

    /** VFIO_API_VERSION: the only version the kernel has ever reported. */
    public static final int API_VERSION = 0;
    /** Extensions for VFIO_CHECK_EXTENSION / VFIO_SET_IOMMU. */
    public static final int TYPE1_IOMMU = 1, TYPE1V2_IOMMU = 3, NOIOMMU_IOMMU = 8;
}
