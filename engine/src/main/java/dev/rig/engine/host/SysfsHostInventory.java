package dev.rig.engine.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads host PCI facts from sysfs, once, at construction.
 *
 * <p>Devices come from {@code <root>/bus/pci/devices/<address>/}. On a real host those entries are symlinks into
 * {@code <root>/devices/pci0000:00/...}; plain directories (handy in tests) work the same. Per device it reads
 * vendor, device, subsystem_vendor, subsystem_device, class and revision (required); config (the first 64 bytes,
 * for the header type at 0x0e), resource, sriov_totalvfs, sriov_numvfs and numa_node (optional files); and the
 * driver, iommu_group, physfn and virtfnN symlinks, whose target's last component is the name wanted. IOMMU groups
 * come from {@code <root>/kernel/iommu_groups/<n>/devices/<address>}.
 *
 * <p>Reading config, like lspci, resumes a runtime-suspended device (a laptop's idle discrete GPU powers up).
 * Resource lines past the ROM (SR-IOV VF BARs, bridge windows) are not read.
 *
 * <p>Errors are {@link HostInventoryException}s that name the file at fault.
 */
public final class SysfsHostInventory implements HostInventory {

    public static final Path DEFAULT_ROOT = Path.of("/sys");

    /** Config space bytes a non-root reader gets; the header type sits at 0x0e. */
    private static final int CONFIG_HEADER_BYTES = 64;
    private static final int HEADER_TYPE_OFFSET = 0x0e;
    private static final Pattern VIRTFN = Pattern.compile("virtfn(\\d+)");

    private final Path root;
    private final SnapshotHostInventory facts;

    /** Reads the live host's {@code /sys}. */
    public SysfsHostInventory() {
        this(DEFAULT_ROOT);
    }

    public SysfsHostInventory(Path sysfsRoot) {
        this.root = Objects.requireNonNull(sysfsRoot, "sysfsRoot");
        if (!Files.isDirectory(sysfsRoot)) {
            throw new HostInventoryException("sysfs root " + sysfsRoot + " is not a directory");
        }
        this.facts = new SnapshotHostInventory(readDevices(), readGroups(), source());
    }

    public Path root() {
        return root;
    }

    /** {@code <root>/bus/pci/devices/<address>}, where later steps write driver_override, unbind and so on. */
    public Path deviceDirectory(PciAddress address) {
        return root.resolve("bus/pci/devices").resolve(address.toString());
    }

    @Override
    public List<PciDevice> devices() {
        return facts.devices();
    }

    @Override
    public Optional<PciDevice> device(PciAddress address) {
        return facts.device(address);
    }

    @Override
    public List<IommuGroup> iommuGroups() {
        return facts.iommuGroups();
    }

    @Override
    public Optional<IommuGroup> iommuGroup(int id) {
        return facts.iommuGroup(id);
    }

    @Override
    public String source() {
        return "sysfs " + root;
    }

    @Override
    public String toString() {
        return "SysfsHostInventory[" + root + ": " + facts.devices().size() + " devices, "
                + facts.iommuGroups().size() + " IOMMU groups]";
    }

    private List<PciDevice> readDevices() {
        Path dir = root.resolve("bus/pci/devices");
        List<PciDevice> devices = new ArrayList<>();
        for (Path entry : list(dir)) {
            String name = entry.getFileName().toString();
            PciAddress address;
            try {
                address = PciAddress.parse(name);
            } catch (IllegalArgumentException e) {
                throw new HostInventoryException("unexpected entry " + entry + ": " + e.getMessage());
            }
            if (!name.equals(address.toString())) {
                throw new HostInventoryException("unexpected entry " + entry + ": sysfs names it " + address);
            }
            if (!Files.isDirectory(entry)) {
                throw new HostInventoryException("PCI device entry " + entry + " is not a directory"
                        + (Files.isSymbolicLink(entry) ? " (dangling symbolic link)" : ""));
            }
            devices.add(readDevice(address, entry));
        }
        return devices;
    }

    private static PciDevice readDevice(PciAddress address, Path dir) {
        PciDevice.Builder b = PciDevice.builder(address)
                .vendorId(SysfsFiles.requiredHex(dir.resolve("vendor"), 0xffff, "0x10de"))
                .deviceId(SysfsFiles.requiredHex(dir.resolve("device"), 0xffff, "0x26b9"))
                .subsystem(SysfsFiles.requiredHex(dir.resolve("subsystem_vendor"), 0xffff, "0x10de"),
                        SysfsFiles.requiredHex(dir.resolve("subsystem_device"), 0xffff, "0x1234"))
                .classCode(SysfsFiles.requiredHex(dir.resolve("class"), 0xffffff, "0x030000"))
                .revision(SysfsFiles.requiredHex(dir.resolve("revision"), 0xff, "0xa1"))
                .headerType(headerType(dir.resolve("config")))
                .driver(SysfsFiles.linkTargetName(dir.resolve("driver")))
                .iommuGroup(iommuGroupLink(dir.resolve("iommu_group")))
                .sriov(sriov(dir))
                .physfn(SysfsFiles.linkTargetName(dir.resolve("physfn"))
                        .map(n -> SysfsFiles.linkTargetAddress(dir.resolve("physfn"), n)))
                .numaNode(numaNode(dir.resolve("numa_node")));
        Path resource = dir.resolve("resource");
        SysfsFiles.readOptional(resource).ifPresent(text -> {
            SysfsResourceFile.Parsed parsed = SysfsResourceFile.parse(resource, text);
            b.bars(parsed.bars()).rom(parsed.rom());
        });
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new HostInventoryException("inconsistent sysfs facts in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static OptionalInt headerType(Path config) {
        Optional<byte[]> bytes = SysfsFiles.readBytes(config, CONFIG_HEADER_BYTES);
        if (bytes.isEmpty()) {
            return OptionalInt.empty();
        }
        if (bytes.get().length < CONFIG_HEADER_BYTES) {
            throw SysfsFiles.malformed(config, "only " + bytes.get().length + " bytes; the standard header is "
                    + CONFIG_HEADER_BYTES);
        }
        return OptionalInt.of(bytes.get()[HEADER_TYPE_OFFSET] & 0xff);
    }

    private static OptionalInt iommuGroupLink(Path link) {
        Optional<String> name = SysfsFiles.linkTargetName(link);
        if (name.isEmpty()) {
            return OptionalInt.empty();
        }
        if (!name.get().matches("\\d{1,9}")) {
            throw SysfsFiles.malformed(link, "link target does not end in a group number: \"" + name.get() + "\"");
        }
        return OptionalInt.of(Integer.parseInt(name.get()));
    }

    private static OptionalInt numaNode(Path file) {
        OptionalInt node = SysfsFiles.optionalDecimal(file);
        if (node.isPresent() && node.getAsInt() < -1) {
            throw SysfsFiles.malformed(file, "NUMA node " + node.getAsInt() + " is below -1");
        }
        // -1 is how the kernel says "no NUMA affinity".
        return node.isPresent() && node.getAsInt() >= 0 ? node : OptionalInt.empty();
    }

    private static Optional<SriovInfo> sriov(Path dir) {
        Path totalFile = dir.resolve("sriov_totalvfs");
        OptionalInt total = SysfsFiles.optionalDecimal(totalFile);
        if (total.isEmpty()) {
            return Optional.empty();
        }
        int enabled = SysfsFiles.optionalDecimal(dir.resolve("sriov_numvfs")).orElse(0);
        List<PciAddress> vfs = new ArrayList<>();
        list(dir).stream()
                .map(p -> VIRTFN.matcher(p.getFileName().toString()))
                .filter(Matcher::matches)
                .sorted(Comparator.comparingLong(m -> Long.parseLong(m.group(1))))
                .forEach(m -> {
                    Path link = dir.resolve(m.group());
                    String name = SysfsFiles.linkTargetName(link).orElseThrow();
                    vfs.add(SysfsFiles.linkTargetAddress(link, name));
                });
        try {
            return Optional.of(new SriovInfo(total.getAsInt(), enabled, vfs));
        } catch (IllegalArgumentException e) {
            throw new HostInventoryException("inconsistent SR-IOV files in " + dir + ": " + e.getMessage(), e);
        }
    }

    private List<IommuGroup> readGroups() {
        List<IommuGroup> groups = new ArrayList<>();
        for (Path groupDir : list(root.resolve("kernel/iommu_groups"))) {
            String name = groupDir.getFileName().toString();
            if (!name.matches("\\d{1,9}")) {
                throw new HostInventoryException("unexpected entry " + groupDir + ": IOMMU groups are numbered");
            }
            // Non-PCI members (platform devices on ARM hosts) are skipped: Rig only passes PCI functions through.
            List<PciAddress> members = list(groupDir.resolve("devices")).stream()
                    .map(p -> p.getFileName().toString())
                    .filter(PciAddress::isValid)
                    .map(PciAddress::parse)
                    .toList();
            groups.add(new IommuGroup(Integer.parseInt(name), members));
        }
        return groups;
    }

    /** Entries of a directory, sorted by name; none if it does not exist. */
    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            throw new HostInventoryException("cannot list sysfs directory " + dir + ": " + e, e);
        }
    }
}
