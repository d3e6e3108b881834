package dev.rig.engine.hostprep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Vendor, device, subsystem and class names from the pci.ids database (Debian's {@code pci.ids} package installs it
 * as /usr/share/misc/pci.ids; Fedora's hwdata as /usr/share/hwdata/pci.ids). The format:
 * <pre>
 * # comment
 * vendor  vendor_name                              (4 hex digits, two spaces)
 * \tdevice  device_name                            (one tab)
 * \t\tsubvendor subdevice  subsystem_name          (two tabs)
 * C class  class_name                              (class section, after the vendors)
 * \tsubclass  subclass_name
 * \t\tprog-if  prog-if_name
 * </pre>
 * Lines it does not understand are skipped: the file is large and its tail holds other lists.
 */
public final class PciIds {

    public static final List<Path> DEFAULT_LOCATIONS = List.of(Path.of("/usr/share/misc/pci.ids"),
            Path.of("/usr/share/hwdata/pci.ids"));

    private static final PciIds EMPTY = new PciIds(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

    private final Map<Integer, String> vendors;
    private final Map<Integer, String> devices;       // vendor << 16 | device
    private final Map<Long, String> subsystems;       // vendor << 48 | device << 32 | subvendor << 16 | subdevice
    private final Map<Integer, String> classes;       // base class
    private final Map<Integer, String> subclasses;    // base << 8 | subclass

    private PciIds(Map<Integer, String> vendors, Map<Integer, String> devices, Map<Long, String> subsystems,
                   Map<Integer, String> classes, Map<Integer, String> subclasses) {
        this.vendors = vendors;
        this.devices = devices;
        this.subsystems = subsystems;
        this.classes = classes;
        this.subclasses = subclasses;
    }

    /** No names: every lookup is empty, so callers print numbers. */
    public static PciIds empty() {
        return EMPTY;
    }

    /** The first of {@link #DEFAULT_LOCATIONS} that exists, else {@link #empty()}. */
    public static PciIds system() {
        for (Path p : DEFAULT_LOCATIONS) {
            if (Files.isRegularFile(p)) {
                return load(p);
            }
        }
        return empty();
    }

    public static PciIds load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new HostPrepException("cannot read the PCI id database " + file + ": " + e.getMessage(), e);
        }
    }

    public static PciIds parse(String text) {
        Map<Integer, String> vendors = new HashMap<>();
        Map<Integer, String> devices = new HashMap<>();
        Map<Long, String> subsystems = new HashMap<>();
        Map<Integer, String> classes = new HashMap<>();
        Map<Integer, String> subclasses = new HashMap<>();
        int vendor = -1;
        int device = -1;
        int baseClass = -1;
        for (String line : text.split("\n")) {
            line = line.stripTrailing();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("C ")) {
                Entry e = entry(line.substring(2), 2);
                vendor = -1;
                baseClass = e == null ? -1 : (int) e.id;
                if (e != null) {
                    classes.put(baseClass, e.name);
                }
            } else if (line.startsWith("\t\t")) {
                if (vendor >= 0 && device >= 0) {
                    String[] ids = line.substring(2).split(" ", 2);
                    Entry sub = ids.length == 2 ? entry(ids[1], 4) : null;
                    if (sub != null && ids[0].matches("\\p{XDigit}{4}")) {
                        long key = ((long) vendor << 48) | ((long) device << 32)
                                | ((long) Integer.parseInt(ids[0], 16) << 16) | sub.id;
                        subsystems.put(key, sub.name);
                    }
                }
            } else if (line.startsWith("\t")) {
                if (vendor >= 0) {
                    Entry e = entry(line.substring(1), 4);
                    device = e == null ? -1 : (int) e.id;
                    if (e != null) {
                        devices.put(vendor << 16 | device, e.name);
                    }
                } else if (baseClass >= 0) {
                    Entry e = entry(line.substring(1), 2);
                    if (e != null) {
                        subclasses.put(baseClass << 8 | (int) e.id, e.name);
                    }
                }
            } else {
                Entry e = entry(line, 4);
                baseClass = -1;
                device = -1;
                vendor = e == null ? -1 : (int) e.id;
                if (e != null) {
                    vendors.put(vendor, e.name);
                }
            }
        }
        return new PciIds(Map.copyOf(vendors), Map.copyOf(devices), Map.copyOf(subsystems), Map.copyOf(classes),
                Map.copyOf(subclasses));
    }

    private record Entry(long id, String name) {
    }

    /** "10de  NVIDIA Corporation": {@code digits} hex digits, white space, a name. */
    private static Entry entry(String text, int digits) {
        if (text.length() < digits + 2 || !text.substring(0, digits).matches("\\p{XDigit}+")
                || !Character.isWhitespace(text.charAt(digits))) {
            return null;
        }
        String name = text.substring(digits).strip();
        return name.isEmpty() ? null : new Entry(Long.parseLong(text.substring(0, digits), 16), name);
    }

    public boolean isEmpty() {
        return vendors.isEmpty() && classes.isEmpty();
    }

    public Optional<String> vendor(int vendorId) {
        return Optional.ofNullable(vendors.get(vendorId));
    }

    public Optional<String> device(int vendorId, int deviceId) {
        return Optional.ofNullable(devices.get(vendorId << 16 | deviceId));
    }

    public Optional<String> subsystem(int vendorId, int deviceId, int subVendorId, int subDeviceId) {
        return Optional.ofNullable(subsystems.get(((long) vendorId << 48) | ((long) deviceId << 32)
                | ((long) subVendorId << 16) | subDeviceId));
    }

    /** The subclass's name ("VGA compatible controller"), else the base class's ("Display controller"). */
    public Optional<String> className(int classCode) {
        int base = classCode >>> 16;
        int sub = classCode >>> 8 & 0xff;
        return Optional.ofNullable(subclasses.get(base << 8 | sub)).or(() -> Optional.ofNullable(classes.get(base)));
    }
}
