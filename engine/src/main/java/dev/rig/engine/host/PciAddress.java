package dev.rig.engine.host;

import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PCI function address: segment (a.k.a. domain), bus, device (slot) and function.
 *
 * <p>{@link #toString()} gives the canonical sysfs form {@code 0000:01:00.0}; {@link #parse(String)} accepts that,
 * the short lspci form {@code 01:00.0} (segment 0) and a sysfs path whose last component is an address, such as
 * {@code /sys/bus/pci/devices/0000:01:00.0/}. Ordering is numeric: segment, bus, device, function.
 */
public record PciAddress(int segment, int bus, int device, int function) implements Comparable<PciAddress> {

    static final String EXPECTED_FORM = "expected [segment:]bus:device.function in hex, e.g. \"0000:01:00.0\", "
            + "\"01:00.0\" or \"/sys/bus/pci/devices/0000:01:00.0\"";

    // Wider than legal on purpose, so that "0000:01:20.0" gets a range message instead of a shape message.
    private static final Pattern FORM = Pattern.compile(
            "(?:(\\p{XDigit}{1,8}):)?(\\p{XDigit}{1,4}):(\\p{XDigit}{1,4})\\.(\\p{XDigit}{1,4})");

    private static final Comparator<PciAddress> ORDER = Comparator.comparingInt(PciAddress::segment)
            .thenComparingInt(PciAddress::bus)
            .thenComparingInt(PciAddress::device)
            .thenComparingInt(PciAddress::function);

    public PciAddress {
        String problem = rangeProblem(segment, bus, device, function);
        if (problem != null) {
            throw new IllegalArgumentException("Invalid PCI address: " + problem);
        }
    }

    /** Segment 0, the common case. */
    public static PciAddress of(int bus, int device, int function) {
        return new PciAddress(0, bus, device, function);
    }

    /**
     * Parses {@code 0000:01:00.0}, {@code 01:00.0} or a sysfs path ending in an address (a trailing {@code /} is
     * allowed). Hex digits may be upper or lower case; surrounding white space is ignored.
     *
     * @throws IllegalArgumentException quoting the input and the expected form
     */
    public static PciAddress parse(String text) {
        Objects.requireNonNull(text, "PCI address text");
        String candidate = text.strip();
        if (candidate.contains("/")) {
            String trimmed = candidate.replaceAll("/+$", "");
            candidate = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        }
        Matcher m = FORM.matcher(candidate);
        if (!m.matches()) {
            throw new IllegalArgumentException("Invalid PCI address \"" + text + "\": " + EXPECTED_FORM);
        }
        long segment = m.group(1) == null ? 0 : Long.parseLong(m.group(1), 16);
        int bus = Integer.parseInt(m.group(2), 16);
        int device = Integer.parseInt(m.group(3), 16);
        int function = Integer.parseInt(m.group(4), 16);
        String problem = segment > 0xffff
                ? String.format("segment 0x%x is out of range 0x0000..0xffff", segment)
                : rangeProblem((int) segment, bus, device, function);
        if (problem != null) {
            throw new IllegalArgumentException(
                    "Invalid PCI address \"" + text + "\": " + problem + " (" + EXPECTED_FORM + ")");
        }
        return new PciAddress((int) segment, bus, device, function);
    }

    /** Whether {@code text} parses; for callers that sort sysfs entry names from other names. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The same device (slot) with another function number, e.g. a GPU's HDMI audio function. */
    public PciAddress withFunction(int newFunction) {
        return new PciAddress(segment, bus, device, newFunction);
    }

    /** Whether both addresses name functions of one physical device (same segment, bus and slot). */
    public boolean sameSlot(PciAddress other) {
        return segment == other.segment && bus == other.bus && device == other.device;
    }

    @Override
    public int compareTo(PciAddress other) {
        return ORDER.compare(this, other);
    }

    /** Canonical form, as sysfs names devices: {@code 0000:01:00.0}. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%04x:%02x:%02x.%x", segment, bus, device, function);
    }

    private static String rangeProblem(int segment, int bus, int device, int function) {
        if (segment < 0 || segment > 0xffff) {
            return String.format("segment 0x%x is out of range 0x0000..0xffff", segment);
        }
        if (bus < 0 || bus > 0xff) {
            return String.format("bus 0x%x is out of range 0x00..0xff", bus);
        }
        if (device < 0 || device > 0x1f) {
            return String.format("device 0x%x is out of range 0x00..0x1f", device);
        }
        if (function < 0 || function > 7) {
            return String.format("function %x is out of range 0..7", function);
        }
        return null;
    }
}
