package dev.rig.kvm;

/**
 * One MSI/MSI-X vector delivered by KVM alone: a GSI of its own ({@link Irqchip#allocateMsiGsi}) whose MSI route
 * holds the vector's message, and an irqfd on that GSI that whoever raises the vector signals (a device thread,
 * or VFIO in the kernel). Masking detaches the irqfd, so what arrives meanwhile waits in the eventfd and is
 * injected at unmask. Closing drops the irqfd, the route and the GSI.
 */
public final class MsiVector implements AutoCloseable {
    private final Irqchip chip;
    private final IrqFd irqfd;
    private long routedAddress = -1;
    private int routedData;

    private MsiVector(Irqchip chip, IrqFd irqfd) {
        this.chip = chip;
        this.irqfd = irqfd;
    }

    /** A vector with a GSI and irqfd, not routed yet. */
    public static MsiVector open(Irqchip chip) {
        int gsi = chip.allocateMsiGsi();
        try {
            return new MsiVector(chip, chip.irqfd(gsi));
        } catch (RuntimeException e) {
            chip.releaseMsiGsi(gsi);
            throw e;
        }
    }

    public int gsi() { return irqfd.gsi(); }

    /** The eventfd that raises the vector (for VFIO_DEVICE_SET_IRQS). */
    public EventFd trigger() { return irqfd.trigger(); }

    public void signal() { irqfd.signal(); }

    /** Routes the GSI to this message; a message already routed is left alone (each rewrite costs KVM an SRCU grace period). */
    public synchronized void route(long address, int data) {
        if (address == routedAddress && data == routedData) return;
        chip.routeMsi(gsi(), address, data);
        routedAddress = address;
        routedData = data;
    }

    public void mask(boolean masked) {
        if (masked) irqfd.detach();
        else irqfd.attach();
    }

    @Override
    public void close() {
        irqfd.close();
        chip.releaseMsiGsi(gsi());
    }
}
