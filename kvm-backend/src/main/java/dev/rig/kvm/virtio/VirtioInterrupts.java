package dev.rig.kvm.virtio;

/**
 * How a virtio device asks for the driver's attention; the transport maps it to the queue's or the config
 * MSI-X vector, or to INTx plus the ISR status bits when the guest did not enable MSI-X.
 */
public interface VirtioInterrupts {
    VirtioInterrupts NONE = new VirtioInterrupts() {
        @Override public void signalQueue(int queue) {}
        @Override public void signalConfig() {}
    };

    /** Used buffers were added to the queue (the device already checked event-idx/no-interrupt suppression). */
    void signalQueue(int queue);

    /** The device configuration changed (or the device needs a reset). */
    void signalConfig();
}
