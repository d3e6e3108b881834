package dev.rig.kvm.virtio;

import dev.rig.kvm.GuestMemory;

import java.util.List;

/**
 * A virtio device type behind a transport ({@link VirtioPciDevice}). The transport owns feature negotiation,
 * status and queue configuration; the device sees activation with ready queues, notifications and reset.
 * All methods are called with the transport's lock held, so a device needs no locking of its own for them.
 */
public interface VirtioDevice {
    /** The virtio device id (2: block). */
    int deviceType();

    int queueCount();

    /** The largest queue size the device accepts (a power of two up to 32768). */
    int maxQueueSize();

    /** Device-specific feature bits offered; the transport adds VERSION_1 and the ring features it implements. */
    long deviceFeatures();

    /** The device-specific configuration structure's length in bytes. */
    int configSize();

    long readConfig(int offset, int size);

    void writeConfig(int offset, int size, long value);

    /** The driver set DRIVER_OK: queues hold the enabled, validated virtqueues (null for a disabled one). */
    void activate(GuestMemory memory, List<Virtqueue> queues, long ackedFeatures, VirtioInterrupts interrupts);

    /** The driver notified queue (after activation). Returns false if the device now needs a reset. */
    boolean queueNotified(int queue);

    /** Back to the state before activation (the driver wrote 0 to device_status). */
    void reset();
}
