package dev.rig.engine.host;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything Rig needs to know about one host PCI function before passing it through.
 *
 * <p>Absent facts are empty optionals, never placeholder values: no driver bound, no IOMMU group (IOMMU off), no
 * readable config space, no NUMA affinity ({@code numa_node} of -1).
 *
 * @param address           where the function sits
 * @param vendorId          16-bit vendor id, e.g. 0x10de
 * @param deviceId          16-bit device id
 * @param subsystemVendorId 16-bit subsystem vendor id
 * @param subsystemDeviceId 16-bit subsystem device id
 * @param classCode         24-bit class code: base class, subclass, programming interface (0x030000 = VGA)
 * @param revision          8-bit revision id
 * @param headerType        config space byte 0x0e when readable: bit 7 = multi-function, low 7 bits = layout
 * @param driver            name of the bound host driver, e.g. "nvidia" or "vfio-pci"
 * @param iommuGroup        IOMMU group number
 * @param bars              assigned BARs, sorted by index
 * @param rom               expansion ROM window
 * @param sriov             SR-IOV state, for a physical function that has the capability
 * @param physfn            the physical function, for an SR-IOV virtual function
 * @param numaNode          NUMA node the function is attached to
 */
public record PciDevice(
        PciAddress address,
        int vendorId,
        int deviceId,
        int subsystemVendorId,
        int subsystemDeviceId,
        int classCode,
        int revision,
        OptionalInt headerType,
        Optional<String> driver,
        OptionalInt iommuGroup,
        List<Bar> bars,
        Optional<ExpansionRom> rom,
        Optional<SriovInfo> sriov,
        Optional<PciAddress> physfn,
        OptionalInt numaNode) {

    public static final int VENDOR_NVIDIA = 0x10de;

    public PciDevice {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(headerType, "headerType");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(iommuGroup, "iommuGroup");
        Objects.requireNonNull(rom, "rom");
        Objects.requireNonNull(sriov, "sriov");
        Objects.requireNonNull(physfn, "physfn");
        Objects.requireNonNull(numaNode, "numaNode");
        checkRange(address, "vendor id", vendorId, 0xffff);
        checkRange(address, "device id", deviceId, 0xffff);
        checkRange(address, "subsystem vendor id", subsystemVendorId, 0xffff);
        checkRange(address, "subsystem device id", subsystemDeviceId, 0xffff);
        checkRange(address, "class code", classCode, 0xffffff);
        checkRange(address, "revision", revision, 0xff);
        if (headerType.isPresent()) {
            checkRange(address, "header type", headerType.getAsInt(), 0xff);
        }
        if (iommuGroup.isPresent() && iommuGroup.getAsInt() < 0) {
            throw new IllegalArgumentException(address + ": IOMMU group must not be negative");
        }
        if (numaNode.isPresent() && numaNode.getAsInt() < 0) {
            throw new IllegalArgumentException(address + ": NUMA node must not be negative (use empty for none)");
        }
        if (driver.isPresent() && driver.get().isBlank()) {
            throw new IllegalArgumentException(address + ": driver name is blank (use empty for none)");
        }
        bars = bars.stream().sorted(Comparator.comparingInt(Bar::index)).toList();
        checkBarSlots(address, bars);
    }

    public static Builder builder(PciAddress address) {
        return new Builder(address);
    }

    /** A builder preloaded with this device's facts, for deriving a changed copy. */
    public Builder toBuilder() {
        return new Builder(address).vendorId(vendorId).deviceId(deviceId)
                .subsystem(subsystemVendorId, subsystemDeviceId).classCode(classCode).revision(revision)
                .headerType(headerType).driver(driver).iommuGroup(iommuGroup).bars(bars).rom(rom)
                .sriov(sriov).physfn(physfn).numaNode(numaNode);
    }

    /** {@code "10de:26b9"}, the form lspci -n and vfio-pci's new_id use. */
    public String vendorDeviceId() {
        return String.format(Locale.ROOT, "%04x:%04x", vendorId, deviceId);
    }

    /** Base class 0x03: VGA, XGA and 3D controllers. */
    public boolean isDisplayController() {
        return (classCode >>> 16) == 0x03;
    }

    public boolean isNvidia() {
        return vendorId == VENDOR_NVIDIA;
    }

    /**
     * Whether this is a bridge that forwards to a secondary bus (header layout 1 or 2). Without a readable config
     * space the class code decides: PCI-to-PCI (0x0604), CardBus (0x0607) or semi-transparent (0x0609) bridge.
     */
    public boolean isBridge() {
        if (headerType.isPresent()) {
            return (headerType.getAsInt() & 0x7f) != 0;
        }
        int baseAndSub = classCode >>> 8;
        return baseAndSub == 0x0604 || baseAndSub == 0x0607 || baseAndSub == 0x0609;
    }

    /** Header type bit 7; false when config space was not readable. */
    public boolean isMultiFunction() {
        return headerType.isPresent() && (headerType.getAsInt() & 0x80) != 0;
    }

    public boolean isVirtualFunction() {
        return physfn.isPresent();
    }

    public Optional<Bar> bar(int index) {
        return bars.stream().filter(b -> b.index() == index).findFirst();
    }

    private static void checkRange(PciAddress address, String what, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: %s 0x%x is out of range 0..0x%x", address, what, value, max));
        }
    }

    private static void checkBarSlots(PciAddress address, List<Bar> bars) {
        boolean[] used = new boolean[6];
        for (Bar bar : bars) {
            int slots = bar.is64Bit() ? 2 : 1;
            for (int i = bar.index(); i < bar.index() + slots; i++) {
                if (used[i]) {
                    throw new IllegalArgumentException(address + ": BAR " + bar.index()
                            + " overlaps another BAR in register slot " + i
                            + " (a 64-bit BAR takes two slots)");
                }
                used[i] = true;
            }
        }
    }

    /** Mutable builder; ids default to 0, lists to empty, optionals to empty. */
    public static final class Builder {
        private final PciAddress address;
        private int vendorId;
        private int deviceId;
        private int subsystemVendorId;
        private int subsystemDeviceId;
        private int classCode;
        private int revision;
        private OptionalInt headerType = OptionalInt.empty();
        private Optional<String> driver = Optional.empty();
        private OptionalInt iommuGroup = OptionalInt.empty();
        private final List<Bar> bars = new ArrayList<>();
        private Optional<ExpansionRom> rom = Optional.empty();
        private Optional<SriovInfo> sriov = Optional.empty();
        private Optional<PciAddress> physfn = Optional.empty();
        private OptionalInt numaNode = OptionalInt.empty();

        private Builder(PciAddress address) {
            this.address = Objects.requireNonNull(address, "address");
        }

        public Builder vendorId(int v) { vendorId = v; return this; }
        public Builder deviceId(int v) { deviceId = v; return this; }
        public Builder subsystem(int vendor, int device) {
            subsystemVendorId = vendor;
            subsystemDeviceId = device;
            return this;
        }
        public Builder classCode(int v) { classCode = v; return this; }
        public Builder revision(int v) { revision = v; return this; }
        public Builder headerType(int v) { headerType = OptionalInt.of(v); return this; }
        public Builder headerType(OptionalInt v) { headerType = Objects.requireNonNull(v); return this; }
        public Builder driver(String v) { driver = Optional.ofNullable(v); return this; }
        public Builder driver(Optional<String> v) { driver = Objects.requireNonNull(v); return this; }
        public Builder iommuGroup(int v) { iommuGroup = OptionalInt.of(v); return this; }
        public Builder iommuGroup(OptionalInt v) { iommuGroup = Objects.requireNonNull(v); return this; }
        public Builder bar(Bar v) { bars.add(Objects.requireNonNull(v)); return this; }
        public Builder bars(List<Bar> v) { bars.clear(); bars.addAll(v); return this; }
        public Builder rom(ExpansionRom v) { rom = Optional.ofNullable(v); return this; }
        public Builder rom(Optional<ExpansionRom> v) { rom = Objects.requireNonNull(v); return this; }
        public Builder sriov(SriovInfo v) { sriov = Optional.ofNullable(v); return this; }
        public Builder sriov(Optional<SriovInfo> v) { sriov = Objects.requireNonNull(v); return this; }
        public Builder physfn(PciAddress v) { physfn = Optional.ofNullable(v); return this; }
        public Builder physfn(Optional<PciAddress> v) { physfn = Objects.requireNonNull(v); return this; }
        public Builder numaNode(int v) { numaNode = OptionalInt.of(v); return this; }
        public Builder numaNode(OptionalInt v) { numaNode = Objects.requireNonNull(v); return this; }

        public PciDevice build() {
            return new PciDevice(address, vendorId, deviceId, subsystemVendorId, subsystemDeviceId, classCode,
                    revision, headerType, driver, iommuGroup, bars, rom, sriov, physfn, numaNode);
        }
    }
}
