package dev.rig.engine.hostprep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes one sysfs attribute, as {@code echo TEXT > FILE} does. The kernel acts on the write itself (binding,
 * unbinding, creating VFs) and reports refusals as the write's error, which arrives here as an IOException.
 *
 * <p>This is the seam for tests: production writes plain files; a test's fake kernel writes the file too and then
 * applies what the real kernel would do to the fake tree.
 */
@FunctionalInterface
public interface SysfsWriter {

    void write(Path file, String text) throws IOException;

    /**
     * Plain writes. The file must exist: sysfs attributes are never created by writing, so a missing one means a
     * missing driver or device, and creating it would hide that.
     */
    static SysfsWriter files() {
        return (file, text) -> Files.writeString(file, text, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }
}
