package dev.rig.kvm.pci;

/**
 * Where a function's MSI-X messages go. On KVM: {@link #deliver} triggers the irqfd of the GSI routed to this
 * vector (or issues KVM_SIGNAL_MSI with address/data), and {@link #vectorChanged} rewrites that GSI's MSI
 * route whenever the guest reprograms or unmasks the vector.
 */
public interface MsiDelivery {
    MsiDelivery NONE = (vector, address, data) -> {};

    /** Sends the message of an unmasked, enabled vector. Called from the thread that raised the interrupt. */
    void deliver(int vector, long address, int data);

    /** The guest changed the vector's message or mask (also on enabling MSI-X as a whole). */
    default void vectorChanged(int vector, long address, int data, boolean masked) {}
}
