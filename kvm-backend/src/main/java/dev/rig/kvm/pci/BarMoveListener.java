package dev.rig.kvm.pci;

/**
 * Told when the guest programs a BAR with a new address, so the VMM can move the BAR's bus registration (and any
 * ioeventfds inside it). oldAddress is 0 when the BAR had no address yet.
 */
@FunctionalInterface
public interface BarMoveListener {
    void barMoved(PciBar bar, long oldAddress, long newAddress);
}
