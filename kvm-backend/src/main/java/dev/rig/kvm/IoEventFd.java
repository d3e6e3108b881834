package dev.rig.kvm;

/**
 * An eventfd KVM signals when the guest writes to an address (a virtio queue doorbell), instead of exiting to the
 * vCPU loop. Closing deregisters it and closes the eventfd.
 */
public final class IoEventFd implements AutoCloseable {
    private final Vm vm;
    private final long address;
    private final int length;
    private final boolean pio;
    private final Long datamatch;
    private final EventFd event;

    IoEventFd(Vm vm, long address, int length, boolean pio, Long datamatch, EventFd event) {
        this.vm = vm;
        this.address = address;
        this.length = length;
        this.pio = pio;
        this.datamatch = datamatch;
        this.event = event;
    }

    public long address() { return address; }

    public int length() { return length; }

    public boolean pio() { return pio; }

    public Long datamatch() { return datamatch; }

    public EventFd event() { return event; }

    @Override
    public void close() {
        if (event.isClosed()) return;
        try {
            vm.deassignIoEventFd(this);
        } finally {
            event.close();
        }
    }
}
