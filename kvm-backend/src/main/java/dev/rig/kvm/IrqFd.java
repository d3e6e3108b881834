package dev.rig.kvm;

/**
 * An eventfd registered with KVM as the trigger of a GSI: signalling it injects the interrupt in the kernel,
 * with no exit. With a resample eventfd the GSI is level-triggered (INTx): KVM signals {@link #resample()} when
 * the guest acknowledges, so the device can re-assert. Closing deregisters it and closes both eventfds.
 */
public final class IrqFd implements AutoCloseable {
    private final Irqchip chip;
    private final int gsi;
    private final EventFd trigger;
    private final EventFd resample;  // null for edge-triggered

    IrqFd(Irqchip chip, int gsi, EventFd trigger, EventFd resample) {
        this.chip = chip;
        this.gsi = gsi;
        this.trigger = trigger;
        this.resample = resample;
    }

    public int gsi() { return gsi; }

    public EventFd trigger() { return trigger; }

    public EventFd resample() { return resample; }

    public void signal() { trigger.signal(); }

    @Override
    public void close() {
        if (trigger.isClosed()) return;
        try {
            chip.deassign(this);
        } finally {
            trigger.close();
            if (resample != null) resample.close();
        }
    }
}
