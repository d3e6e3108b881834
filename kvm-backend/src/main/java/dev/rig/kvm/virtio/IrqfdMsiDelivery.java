package dev.rig.kvm.virtio;

import dev.rig.kvm.Irqchip;
import dev.rig.kvm.MsiVector;
import dev.rig.kvm.pci.MsiDelivery;
import dev.rig.sys.SyscallException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MSI-X vectors of an emulated function delivered through KVM: each vector the guest unmasks gets a GSI of its
 * own, routed to the vector's message (KVM_SET_GSI_ROUTING), and an irqfd on that GSI. Raising the vector is
 * then one eventfd write from whichever thread completed the work (a device thread, with no vCPU involved);
 * KVM injects it. Masking stays with {@link dev.rig.kvm.pci.MsixTable}, which holds a masked vector pending
 * and never calls {@link #deliver} for it, so routes are only rewritten when a message actually changes.
 * Closing releases the irqfds and GSIs.
 */
public final class IrqfdMsiDelivery implements MsiDelivery, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IrqfdMsiDelivery.class);
    private final Irqchip chip;
    private final MsiVector[] vectors;   // null until the guest first unmasks the vector
    private boolean closed;

    public IrqfdMsiDelivery(Irqchip chip, int vectors) {
        this.chip = chip;
        this.vectors = new MsiVector[vectors];
    }

    @Override
    public synchronized void vectorChanged(int vector, long address, int data, boolean masked) {
        if (closed || vector < 0 || vector >= vectors.length) return;
        if (vectors[vector] == null) {
            if (masked) return;   // never used yet: no GSI until the guest unmasks it
            vectors[vector] = MsiVector.open(chip);
        }
        vectors[vector].route(address, data);   // a mask toggle keeps the route it has
    }

    @Override
    public void deliver(int vector, long address, int data) {
        MsiVector v;
        synchronized (this) {
            if (closed) return;
            v = vector >= 0 && vector < vectors.length ? vectors[vector] : null;
        }
        if (v != null) {
            v.signal();
            return;
        }
        // MsixTable announces every vector before it can deliver one, so this fallback is for a vector whose
        // route failed: the message still reaches the guest, through a direct injection.
        try {
            chip.signalMsi(address, data);
        } catch (SyscallException e) {
            // KVM says EPERM when no local APIC takes the message (a bad address): dropped, as on a real bus.
            log.warn("MSI-X vector {} to 0x{} not delivered: {}", vector, Long.toHexString(address), e.getMessage());
        }
    }

    /** The GSI routed for vector, or -1 if the guest has not unmasked it yet. */
    public synchronized int gsi(int vector) { return vectors[vector] == null ? -1 : vectors[vector].gsi(); }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (MsiVector v : vectors) if (v != null) v.close();
    }
}
