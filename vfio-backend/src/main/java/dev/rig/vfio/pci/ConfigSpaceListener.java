package dev.rig.vfio.pci;

import dev.rig.kvm.pci.BarMoveListener;
import dev.rig.kvm.pci.PciBar;

/**
 * What the backend must act on when the guest writes config space (or the MSI-X table): remap a moved BAR, follow
 * decode enables, and update KVM's MSI routes. Every method is optional. Calls come on the thread that made the
 * access, after the virtual config space holds the new value.
 */
public interface ConfigSpaceListener extends BarMoveListener {
    /** A BAR now decodes at a new address (sizing probes and half-written 64-bit BARs are not reported). */
    @Override
    default void barMoved(PciBar bar, long oldAddress, long newAddress) {}

    /** The command register changed (memory/IO decode, bus master); BAR moves are reported before this. */
    default void commandChanged(int oldCommand, int newCommand) {}

    /** MSI was enabled or disabled; vectors is the count the guest enabled (Multiple Message Enable). */
    default void msiEnabled(boolean enabled, int vectors) {}

    /** An enabled MSI vector has this message now (reported for every vector on enable and on each change). */
    default void msiVectorProgrammed(int vector, MsiMessage message) {}

    /** A per-vector MSI mask bit changed. */
    default void msiVectorMasked(int vector, boolean masked) {}

    /** MSI-X enable or function mask changed. */
    default void msixEnabled(boolean enabled, boolean functionMasked) {}

    /** An MSI-X table entry's address or data changed. */
    default void msixVectorProgrammed(int vector, MsiMessage message) {}

    /** An MSI-X table entry's mask bit changed. */
    default void msixVectorMasked(int vector, boolean masked) {}
}
