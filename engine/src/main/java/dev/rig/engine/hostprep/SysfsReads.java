package dev.rig.engine.hostprep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Small readers for the live state that a bind changes; they never cache, because the kernel moves under us. */
final class SysfsReads {

    private SysfsReads() {
    }

    /** The file's text, stripped, or empty when it does not exist. */
    static Optional<String> text(Path file) {
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new HostPrepException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The last component of a symlink's target (a driver's or a group's name), or empty when there is no link. */
    static Optional<String> linkName(Path link) {
        if (!Files.isSymbolicLink(link)) {
            return Optional.empty();
        }
        try {
            Path target = Files.readSymbolicLink(link).getFileName();
            return target == null ? Optional.empty() : Optional.of(target.toString());
        } catch (IOException e) {
            throw new HostPrepException("cannot read link " + link + ": " + e.getMessage(), e);
        }
    }

    /** The driver bound to the device in {@code deviceDir} now. */
    static Optional<String> driver(Path deviceDir) {
        return linkName(deviceDir.resolve("driver"));
    }

    /**
     * driver_override as the kernel shows it: "(null)" when unset, which is returned as empty.
     *
     * @throws HostPrepException when the file is missing: kernels before 3.16 lack it, and Rig needs it
     */
    static Optional<String> driverOverride(Path deviceDir) {
        Path file = deviceDir.resolve("driver_override");
        String text = text(file).orElseThrow(() -> new HostPrepException("no " + file
                + ": this kernel has no driver_override (Linux 3.16 or later is needed)"));
        return text.isEmpty() || text.equals("(null)") ? Optional.empty() : Optional.of(text);
    }

    /** Directory entries sorted by name; none when it does not exist. */
    static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new HostPrepException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
