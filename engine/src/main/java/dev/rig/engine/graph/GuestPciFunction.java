package dev.rig.engine.graph;

import dev.rig.engine.alloc.AddressRange;
import dev.rig.engine.alloc.BarPlacement;
import dev.rig.engine.host.IommuGroup;
import dev.rig.engine.host.PciAddress;
import dev.rig.engine.host.PciDevice;
import dev.rig.engine.model.DeviceSpec;
import dev.rig.engine.model.DiskSpec;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** A PCI function in the guest's topology, with its guest address and the resources allocated to it. */
public sealed interface GuestPciFunction {
    PciAddress guestAddress();

    String label();

    List<BarPlacement> bars();

    /** The legacy interrupt line (INTx) routed to this function, if it has one. */
    OptionalInt intxGsi();

    /** The host bridge at slot 0 of every segment. */
    record HostBridge(PciAddress guestAddress) implements GuestPciFunction {
        public String label() { return "host bridge"; }

        public List<BarPlacement> bars() { return List.of(); }

        public OptionalInt intxGsi() { return OptionalInt.empty(); }
    }

    /** A host device given to the guest through VFIO. I/O BARs get guest port ranges of their own. */
    record Passthrough(PciAddress guestAddress, DeviceSpec spec, PciDevice host, Optional<IommuGroup> group,
                       List<BarPlacement> bars, List<IoBar> ioBars, boolean romExposed, OptionalInt intxGsi)
            implements GuestPciFunction {
        public String label() { return spec.label(); }
    }

    /** A disk image as a virtio-blk device. */
    record VirtioBlock(PciAddress guestAddress, DiskSpec disk, List<BarPlacement> bars, OptionalInt intxGsi)
            implements GuestPciFunction {
        public String label() { return disk.label(); }
    }

    /** An I/O-space BAR placed in the guest's port space. */
    record IoBar(int index, AddressRange ports) {}
}
