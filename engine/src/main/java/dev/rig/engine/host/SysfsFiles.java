package dev.rig.engine.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/** Small readers for sysfs attribute files; every error names the file it came from. */
final class SysfsFiles {

    private static final Pattern HEX = Pattern.compile("0[xX]\\p{XDigit}{1,16}|\\p{XDigit}{1,16}");
    private static final Pattern DECIMAL = Pattern.compile("-?\\d{1,10}");

    private SysfsFiles() {
    }

    static HostInventoryException malformed(Path file, String problem) {
        return new HostInventoryException("malformed sysfs file " + file + ": " + problem);
    }

    /** The file's text without the trailing newline, or empty when the file does not exist. */
    static Optional<String> readOptional(Path file) {
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new HostInventoryException("cannot read sysfs file " + file + ": " + e, e);
        }
    }

    static String readRequired(Path file) {
        return readOptional(file).orElseThrow(() -> new HostInventoryException(
                "missing sysfs file " + file + " (every PCI device has one)"));
    }

    /** A hex attribute such as vendor ("0x10de") or class ("0x030000"), checked against {@code max}. */
    static int hex(Path file, String text, int max, String example) {
        if (!HEX.matcher(text).matches()) {
            throw malformed(file, "expected a hex number like " + example + ", got \"" + text + "\"");
        }
        long value = Long.parseUnsignedLong(text.replaceFirst("^0[xX]", ""), 16);
        if (value > max) {
            throw malformed(file, String.format("0x%x is out of range 0..0x%x", value, max));
        }
        return (int) value;
    }

    static int requiredHex(Path file, int max, String example) {
        return hex(file, readRequired(file), max, example);
    }

    /** A decimal attribute such as sriov_totalvfs or numa_node. */
    static OptionalInt optionalDecimal(Path file) {
        Optional<String> text = readOptional(file);
        if (text.isEmpty()) {
            return OptionalInt.empty();
        }
        if (!DECIMAL.matcher(text.get()).matches()) {
            throw malformed(file, "expected a decimal number, got \"" + text.get() + "\"");
        }
        try {
            return OptionalInt.of(Integer.parseInt(text.get()));
        } catch (NumberFormatException e) {
            throw malformed(file, "number \"" + text.get() + "\" is too large");
        }
    }

    /** The first {@code max} bytes of a binary file such as config, or empty when the file does not exist. */
    static Optional<byte[]> readBytes(Path file, int max) {
        try (InputStream in = Files.newInputStream(file)) {
            return Optional.of(in.readNBytes(max));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new HostInventoryException("cannot read sysfs file " + file + ": " + e, e);
        }
    }

    /**
     * The last path component of a symlink's target, which is how sysfs names things: driver, iommu_group,
     * physfn and virtfnN all point at a directory named after the driver, group or device. Empty if absent.
     */
    static Optional<String> linkTargetName(Path link) {
        if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        if (!Files.isSymbolicLink(link)) {
            throw malformed(link, "expected a symbolic link");
        }
        try {
            Path name = Files.readSymbolicLink(link).getFileName();
            if (name == null || name.toString().isEmpty() || name.toString().equals("..")) {
                throw malformed(link, "symbolic link has no usable target name");
            }
            return Optional.of(name.toString());
        } catch (IOException e) {
            throw new HostInventoryException("cannot read symbolic link " + link + ": " + e, e);
        }
    }

    static PciAddress linkTargetAddress(Path link, String name) {
        try {
            return PciAddress.parse(name);
        } catch (IllegalArgumentException e) {
            throw malformed(link, "link target does not end in a PCI address: " + e.getMessage());
        }
    }
}
