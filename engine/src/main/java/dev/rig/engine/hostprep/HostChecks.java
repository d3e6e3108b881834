package dev.rig.engine.hostprep;

import dev.rig.engine.alloc.Sizes;
import dev.rig.engine.host.HostInventory;
import dev.rig.engine.host.IommuGroup;
import dev.rig.engine.host.PciAddress;
import dev.rig.engine.host.PciDevice;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Can this host run a VFIO guest, and if not, what to do: the IOMMU, vfio-pci, access to /dev/vfio, RLIMIT_MEMLOCK
 * against the guest's RAM (VFIO pins all of it), hugepages, and for each device to pass through its readiness and
 * its group's /dev/vfio node. Reads only; changes nothing.
 */
public final class HostChecks {

    public static final String IOMMU_FIX = "Add intel_iommu=on iommu=pt (Intel) or amd_iommu=on iommu=pt (AMD) to the "
            + "kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then sudo update-grub) and reboot";

    private static final Pattern MEMINFO = Pattern.compile("(?m)^(\\w+):\\s+(\\d+)");
    private static final Pattern HUGEPAGE_DIR = Pattern.compile("hugepages-(\\d+)kB");

    private final HostPaths paths;
    private final HostChecksUser user;
    private final Predicate<Path> canReadWrite;

    /** Checks for this process's user, with the kernel's own access rules (access(2)). */
    public HostChecks(HostPaths paths) {
        this(paths, System.getProperty("user.name"), p -> Files.isReadable(p) && Files.isWritable(p));
    }

    /**
     * @param user         the user's name; "?" (what the JVM says for a uid without a passwd entry) makes the
     *                     findings and fixes use the effective uid from {@code paths.proc()}
     * @param canReadWrite whether this user may open a device node read-write (tests fake a denial)
     */
    public HostChecks(HostPaths paths, String user, Predicate<Path> canReadWrite) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.user = HostChecksUser.of(Objects.requireNonNull(user, "user"), paths.proc());
        this.canReadWrite = Objects.requireNonNull(canReadWrite, "canReadWrite");
    }

    /**
     * Runs every check.
     *
     * @param guestRamBytes the guest's RAM, 0 when no guest is given (memlock and hugepages then only report)
     * @param devices       devices the guest passes through; when empty, the groups checked are those that have a
     *                      device on vfio-pci now
     */
    public List<HostCheck> run(long guestRamBytes, List<PciAddress> devices) {
        HostInventory host = paths.inventory();
        List<HostCheck> checks = new ArrayList<>();
        checks.add(iommu(host));
        checks.add(vfioPci());
        checks.add(vfioContainer());
        checks.add(memlock(guestRamBytes, devices));
        checks.add(hugepages(guestRamBytes));
        Set<Integer> groups = new TreeSet<>();
        for (PciAddress a : devices) {
            checks.add(device(host, a));
            host.device(a).flatMap(d -> d.iommuGroup().stream().boxed().findFirst()).ifPresent(groups::add);
        }
        if (devices.isEmpty()) {
            host.devices().stream().filter(d -> d.driver().equals(Optional.of(DriverBinder.VFIO_PCI)))
                    .forEach(d -> d.iommuGroup().ifPresent(groups::add));
        }
        for (int g : groups) {
            checks.add(groupNode(host, host.iommuGroup(g).orElseThrow()));
        }
        return checks;
    }

    /** Whether no check failed. */
    public static boolean passed(List<HostCheck> checks) {
        return checks.stream().noneMatch(HostCheck::failed);
    }

    private HostCheck iommu(HostInventory host) {
        if (host.iommuEnabled()) {
            return HostCheck.ok("iommu", "on: " + host.iommuGroups().size() + " IOMMU groups");
        }
        String detail = "off: " + paths.sysfs().resolve("kernel/iommu_groups") + " has no groups";
        String cmdline = SysfsReads.text(paths.proc().resolve("cmdline")).orElse("");
        Matcher asked = Pattern.compile("\\b(intel_iommu=on|amd_iommu=on)\\b").matcher(cmdline);
        if (asked.find()) {
            return HostCheck.fail("iommu", detail + " although the kernel command line has " + asked.group(1),
                    "Turn on VT-d (Intel) or AMD-Vi/IOMMU (AMD) in the firmware setup");
        }
        String cpu = SysfsReads.text(paths.proc().resolve("cpuinfo")).orElse("");
        String fix = cpu.contains("GenuineIntel")
                ? "Add intel_iommu=on iommu=pt to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, "
                + "then sudo update-grub) and reboot; VT-d must be on in the firmware setup"
                : cpu.contains("AuthenticAMD")
                ? "Add amd_iommu=on iommu=pt to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, "
                + "then sudo update-grub) and reboot; AMD-Vi/IOMMU must be on in the firmware setup"
                : IOMMU_FIX;
        return HostCheck.fail("iommu", detail, fix);
    }

    private HostCheck vfioPci() {
        Path driver = paths.pciDriver(DriverBinder.VFIO_PCI);
        if (Files.isDirectory(driver)) {
            return HostCheck.ok("vfio-pci", "loaded");
        }
        String release = SysfsReads.text(paths.proc().resolve("sys/kernel/osrelease")).orElse("");
        Path dir = paths.modules().resolve(release);
        boolean installed = !release.isEmpty() && (mentions(dir.resolve("modules.dep"), "/vfio-pci.ko")
                || mentions(dir.resolve("modules.builtin"), "/vfio-pci.ko"));
        if (installed) {
            return HostCheck.fail("vfio-pci", "not loaded (the module is installed for " + release + ")",
                    "sudo modprobe vfio-pci; to load it at every boot: echo vfio-pci | sudo tee "
                            + "/etc/modules-load.d/vfio-pci.conf");
        }
        return HostCheck.fail("vfio-pci", "not loaded, and no vfio-pci module found"
                        + (release.isEmpty() ? "" : " for kernel " + release + " in " + dir),
                "Install the kernel's modules package (a kernel with CONFIG_VFIO_PCI), then sudo modprobe vfio-pci");
    }

    private static boolean mentions(Path file, String text) {
        return SysfsReads.text(file).map(t -> t.contains(text + ":") || t.contains(text + "\n") || t.contains(text + ".")
                || t.endsWith(text)).orElse(false);
    }

    private HostCheck vfioContainer() {
        Path node = paths.vfioDevice("vfio");
        if (!Files.exists(node)) {
            return HostCheck.fail("/dev/vfio/vfio", "missing: the vfio module is not loaded",
                    "sudo modprobe vfio-pci (it loads vfio)");
        }
        if (!canReadWrite.test(node)) {
            return HostCheck.fail("/dev/vfio/vfio", user.display() + " cannot open it read-write",
                    "sudo chmod 0666 /dev/vfio/vfio (the kernel's default mode; a udev rule changed it)");
        }
        return HostCheck.ok("/dev/vfio/vfio", user.display() + " can open it");
    }

    private HostCheck memlock(long guestRam, List<PciAddress> devices) {
        ProcStatus self = ProcStatus.self(paths.proc());
        if (self.ipcLock()) {
            return HostCheck.ok("memlock", "CAP_IPC_LOCK (root): VFIO may pin any amount of memory");
        }
        if (self.memlockSoft().isEmpty()) {
            return HostCheck.warn("memlock", "cannot read RLIMIT_MEMLOCK from " + paths.proc().resolve("self/limits"),
                    "ulimit -l shows it");
        }
        long soft = self.memlockSoft().get();
        long hard = self.memlockHard().orElse(soft);
        if (soft == ProcStatus.UNLIMITED) {
            return HostCheck.ok("memlock", "unlimited");
        }
        String limits = "RLIMIT_MEMLOCK is " + Sizes.format(soft) + " (hard limit "
                + (hard == ProcStatus.UNLIMITED ? "unlimited" : Sizes.format(hard)) + ")";
        if (guestRam > 0 && devices.isEmpty()) {
            return HostCheck.ok("memlock", limits + "; not needed: no device is passed through");
        }
        if (guestRam > 0 && soft >= guestRam) {
            return HostCheck.ok("memlock", limits + ": enough to pin the guest's " + Sizes.format(guestRam));
        }
        if (guestRam == 0) {
            return HostCheck.warn("memlock", limits + ": a VFIO guest needs at least its RAM size",
                    memlockFix("<guest RAM in KiB>", false));
        }
        long kib = (guestRam + 1023) / 1024;
        boolean hardTooLow = hard != ProcStatus.UNLIMITED && hard < guestRam;
        return HostCheck.fail("memlock", limits + ": VFIO pins all " + Sizes.format(guestRam) + " of guest RAM",
                memlockFix(Long.toString(kib), hardTooLow));
    }

    private String memlockFix(String kib, boolean hardTooLow) {
        String forGood = "add \"" + user.limitsDomain() + " soft memlock " + kib + "\" and \"" + user.limitsDomain()
                + " hard memlock " + kib
                + "\" to /etc/security/limits.d/rig.conf and log in again (a systemd service: LimitMEMLOCK="
                + kib + "K)";
        return hardTooLow ? "The hard limit is lower too, so as root: " + forGood
                : "ulimit -l " + kib + " in the shell that runs rig; for good, " + forGood;
    }

    private HostCheck hugepages(long guestRam) {
        String meminfo = SysfsReads.text(paths.proc().resolve("meminfo")).orElse("");
        Matcher m = MEMINFO.matcher(meminfo);
        long defaultKib = 0;
        while (m.find()) {
            if (m.group(1).equals("Hugepagesize")) {
                defaultKib = Long.parseLong(m.group(2));
            }
        }
        List<String> pools = new ArrayList<>();
        boolean enough = false;
        for (Path dir : SysfsReads.list(paths.sysfs().resolve("kernel/mm/hugepages"))) {
            Matcher size = HUGEPAGE_DIR.matcher(dir.getFileName().toString());
            if (!size.matches()) {
                continue;
            }
            long pageBytes = Long.parseLong(size.group(1)) * 1024;
            long total = number(dir.resolve("nr_hugepages"));
            long free = number(dir.resolve("free_hugepages"));
            pools.add(Sizes.format(pageBytes) + " pages: " + free + " free of " + total);
            enough |= guestRam > 0 && free * pageBytes >= guestRam;
        }
        String thp = SysfsReads.text(paths.sysfs().resolve("kernel/mm/transparent_hugepage/enabled"))
                .map(t -> "; transparent hugepages: " + t).orElse("");
        String detail = (pools.isEmpty() ? "no hugepage pools" : String.join(", ", pools)) + thp;
        if (guestRam == 0 || enough) {
            return HostCheck.ok("hugepages", detail);
        }
        long pageKib = defaultKib > 0 ? defaultKib : 2048;
        long pages = (guestRam / 1024 + pageKib - 1) / pageKib;
        return HostCheck.warn("hugepages", detail + "; not enough free to back " + Sizes.format(guestRam)
                        + " of guest RAM (optional: they speed up guest memory)",
                "echo " + pages + " | sudo tee /sys/kernel/mm/hugepages/hugepages-" + pageKib + "kB/nr_hugepages");
    }

    private static long number(Path file) {
        try {
            return SysfsReads.text(file).map(Long::parseLong).orElse(0L);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private HostCheck device(HostInventory host, PciAddress a) {
        String name = "device " + a;
        Optional<PciDevice> d = host.device(a);
        if (d.isEmpty()) {
            return HostCheck.fail(name, "no such device on this host", "rig host ls lists the devices");
        }
        PassthroughReadiness r = PassthroughReadiness.of(host, a);
        if (r.ready()) {
            return HostCheck.ok(name, r.summary());
        }
        if (d.get().isBridge()) {
            return HostCheck.fail(name, r.summary(), "pass the devices behind the bridge instead");
        }
        if (d.get().iommuGroup().isEmpty()) {
            return HostCheck.fail(name, r.summary(), IOMMU_FIX);
        }
        IommuGroup g = host.iommuGroupOf(a).orElseThrow();
        String endpoints = g.members().stream().filter(m -> !host.requireDevice(m).isBridge())
                .map(PciAddress::toString).collect(Collectors.joining(" "));
        return HostCheck.fail(name, r.summary(), "sudo rig host bind " + endpoints
                + " (or mark the device managed in the script)");
    }

    private HostCheck groupNode(HostInventory host, IommuGroup g) {
        String name = "group " + g.id();
        Path node = paths.vfioDevice(Integer.toString(g.id()));
        if (!Files.exists(node)) {
            return HostCheck.fail(name, "no " + node + ": none of its devices is on vfio-pci",
                    "bind its devices (see above); the kernel creates the node then");
        }
        if (!canReadWrite.test(node)) {
            return HostCheck.fail(name, user.display() + " cannot open " + node,
                    "sudo chown " + user.owner() + " " + node + " (until the next bind or reboot); for good, a udev rule: "
                            + "echo 'SUBSYSTEM==\"vfio\", OWNER=\"" + user.owner() + "\"' | sudo tee "
                            + "/etc/udev/rules.d/99-rig-vfio.rules && sudo udevadm control --reload "
                            + "&& sudo udevadm trigger");
        }
        return HostCheck.ok(name, user.display() + " can open " + node);
    }
}
