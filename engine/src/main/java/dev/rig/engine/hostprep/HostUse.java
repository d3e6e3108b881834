package dev.rig.engine.hostprep;

import dev.rig.engine.host.PciAddress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether the host itself is using a PCI device, so that taking it away would cut the host's own disk or network.
 *
 * <p>Driver-agnostic: it looks at what the device provides, not at the driver's name.
 * <ul>
 *   <li>Network: an interface in {@code <sysfs>/class/net} that lives under the device and is up ({@code operstate} "up", or IFF_UP in
 *       {@code flags}).</li>
 *   <li>Storage: a block device in {@code <sysfs>/class/block} that lives under the device (a disk or one of its
 *       partitions) and is mounted (by major:minor or by name in {@code /proc/self/mountinfo}), is swap
 *       ({@code /proc/swaps}), or holds a device that is (a dm-crypt, LVM or md device, through {@code holders/}).</li>
 * </ul>
 */
public final class HostUse {

    private static final int IFF_UP = 0x1;
    private static final int MAX_HOLDER_DEPTH = 8;

    private final HostPaths paths;
    private List<Mount> mounts;
    private List<String> swaps;

    public HostUse(HostPaths paths) {
        this.paths = paths;
    }

    /** Why the host needs the device, one phrase each ("nvme0n1p2 is mounted on /"); empty when it does not. */
    public List<String> of(PciAddress address) {
        Path dir;
        try {
            dir = paths.pciDevice(address).toRealPath();
        } catch (IOException e) {
            return List.of();
        }
        List<String> uses = new ArrayList<>(networkUses(dir));
        for (String block : classDevicesUnder("block", dir)) {
            uses.addAll(blockUses(block, new HashSet<>(), 0));
        }
        return uses;
    }

    private List<String> networkUses(Path deviceDir) {
        List<String> uses = new ArrayList<>();
        for (String name : classDevicesUnder("net", deviceDir)) {
            Path iface = paths.sysfs().resolve("class/net").resolve(name);
            boolean operUp = SysfsReads.text(iface.resolve("operstate")).map("up"::equals).orElse(false);
            boolean adminUp = SysfsReads.text(iface.resolve("flags")).map(HostUse::flags)
                    .map(f -> (f & IFF_UP) != 0).orElse(false);
            if (operUp || adminUp) {
                uses.add("network interface " + name + " is up");
            }
        }
        return uses;
    }

    private static int flags(String text) {
        try {
            return Integer.decode(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Names in class/&lt;cls&gt; whose device directory is inside the PCI device's: its interfaces, its disks and their
     * partitions, also when they hang below an intermediate device (virtio0/net/eth0, nvme/nvme0/nvme0n1).
     */
    private List<String> classDevicesUnder(String cls, Path deviceDir) {
        List<String> names = new ArrayList<>();
        for (Path entry : SysfsReads.list(paths.sysfs().resolve("class").resolve(cls))) {
            try {
                if (entry.toRealPath().startsWith(deviceDir)) {
                    names.add(entry.getFileName().toString());
                }
            } catch (IOException e) {
                // a dangling class link: the block device went away while we looked
            }
        }
        return names;
    }

    private List<String> blockUses(String name, Set<String> seen, int depth) {
        if (!seen.add(name) || depth > MAX_HOLDER_DEPTH) {
            return List.of();
        }
        Path dir = paths.sysfs().resolve("class/block").resolve(name);
        Optional<String> devNumbers = SysfsReads.text(dir.resolve("dev"));
        List<String> uses = new ArrayList<>();
        for (Mount m : mounts()) {
            if (devNumbers.map(m.devNumbers()::equals).orElse(false) || name.equals(deviceName(m.source()))) {
                uses.add(name + " is mounted on " + m.mountPoint());
            }
        }
        if (swaps().stream().anyMatch(s -> name.equals(deviceName(s)))) {
            uses.add(name + " is in use as swap");
        }
        for (Path holder : SysfsReads.list(dir.resolve("holders"))) {
            String h = holder.getFileName().toString();
            List<String> held = blockUses(h, seen, depth + 1);
            if (!held.isEmpty()) {
                uses.add(name + " is held by " + h + ": " + String.join("; ", held));
            }
        }
        return uses;
    }

    /** "/dev/mapper/root" to "dm-0" by following the link in /dev; "/dev/sda1" to "sda1"; others stay as they are. */
    private String deviceName(String source) {
        if (!source.startsWith("/dev/")) {
            return source;
        }
        Path node = paths.dev().resolve(source.substring("/dev/".length()));
        try {
            return node.toRealPath().getFileName().toString();
        } catch (IOException e) {
            return node.getFileName().toString();
        }
    }

    private record Mount(String devNumbers, String mountPoint, String source) {
    }

    /** mountinfo: "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue". */
    private List<Mount> mounts() {
        if (mounts == null) {
            Map<String, Mount> found = new LinkedHashMap<>();
            for (String line : lines(paths.proc().resolve("self/mountinfo"))) {
                String[] f = line.split(" ");
                int dash = List.of(f).indexOf("-");
                if (f.length < 5 || dash < 0 || dash + 2 >= f.length) {
                    continue;
                }
                Mount m = new Mount(f[2], unescape(f[4]), unescape(f[dash + 2]));
                found.putIfAbsent(m.devNumbers() + " " + m.mountPoint(), m);
            }
            mounts = List.copyOf(found.values());
        }
        return mounts;
    }

    /** /proc/swaps: a header line, then "Filename Type Size Used Priority". */
    private List<String> swaps() {
        if (swaps == null) {
            swaps = lines(paths.proc().resolve("swaps")).stream().skip(1)
                    .map(l -> unescape(l.split("\\s+")[0])).filter(s -> !s.isEmpty()).toList();
        }
        return swaps;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The kernel writes space, tab, newline and backslash in paths as octal escapes ("\040"). */
    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
