package dev.rig.kvm.virtio;

/** Virtio 1.x constants shared by transport, queues and devices (include/uapi/linux/virtio_config.h, virtio_ring.h). */
public final class Virtio {
    private Virtio() {}

    // Device status bits.
    public static final int STATUS_ACKNOWLEDGE = 1, STATUS_DRIVER = 2, STATUS_DRIVER_OK = 4, STATUS_FEATURES_OK = 8,
            STATUS_NEEDS_RESET = 64, STATUS_FAILED = 128;

    // Transport / ring feature bits (bit numbers).
    public static final int F_RING_INDIRECT_DESC = 28, F_RING_EVENT_IDX = 29, F_VERSION_1 = 32;

    // Device types.
    public static final int TYPE_NET = 1, TYPE_BLOCK = 2, TYPE_CONSOLE = 3;

    // Split-ring descriptor flags.
    public static final int DESC_F_NEXT = 1, DESC_F_WRITE = 2, DESC_F_INDIRECT = 4;
    public static final int AVAIL_F_NO_INTERRUPT = 1;

    /** ISR status bits (INTx). */
    public static final int ISR_QUEUE = 1, ISR_CONFIG = 2;

    public static long bit(int feature) { return 1L << feature; }
}
