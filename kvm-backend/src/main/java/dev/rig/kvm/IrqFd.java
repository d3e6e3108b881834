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
    private boolean detached;

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

    /** Masks: KVM stops injecting; the eventfd keeps counting what arrives (a masked vector's pending bit). */
    public synchronized void detach() {
        if (detached || trigger.isClosed()) return;
        chip.detach(this);
        detached = true;
    }

    /** Unmasks: what arrived while detached is injected now. */
    public synchronized void attach() {
        if (!detached || trigger.isClosed()) return;
        chip.attach(this);
        detached = false;
    }

    public synchronized boolean isDetached() { return detached; }

    @Override
    public synchronized void close() {
        if (trigger.isClosed()) return;
        try {
            if (detached) chip.forget(this);
            else chip.deassign(this);
        } finally {
            trigger.close();
            if (resample != null) resample.close();
        }
    }
}
