package dev.rig.vfio.sys;

import dev.rig.sys.Errno;
import dev.rig.sys.Libc;
import dev.rig.sys.SyscallException;
import dev.rig.vfio.VfioContainer;
import dev.rig.vfio.VfioException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The real FFM implementation, on what this machine has (no /dev/vfio: the lab probe covers that). */
class NativeVfioSysTest {
    private final VfioSys sys = NativeVfioSys.INSTANCE;

    @Test
    void withoutVfioTheContainerSaysWhatToLoad() {
        assumeFalse(Files.exists(Path.of(VfioContainer.DEVICE_PATH)), "this machine has VFIO");
        VfioException e = assertThrows(VfioException.class, VfioContainer::open);
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().startsWith("VFIO container: open on /dev/vfio/vfio failed: ENOENT"), e.getMessage());
        assertTrue(e.getMessage().contains("modprobe vfio-pci") && e.getMessage().contains("intel_iommu=on"), e.getMessage());
    }

    @Test
    void preadAndPwriteUseTheOffset(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("region");
        Files.write(file, new byte[8192]);
        int fd = sys.open(file.toString(), Libc.O_RDWR);
        try (Arena arena = Arena.ofConfined(); SysFd owned = new SysFd(sys, fd, "region file")) {
            MemorySegment buf = arena.allocate(4);
            buf.set(ValueLayout.JAVA_INT, 0, 0x11e81234);
            assertEquals(4, sys.pwrite(owned.fd(), buf, 0x1000, "region file"));
            MemorySegment back = arena.allocate(8);
            assertEquals(8, sys.pread(owned.fd(), back, 0x0ffc, "region file"));
            assertEquals(0x11e81234L << 32, back.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(4, sys.pread(owned.fd(), back, 8188, "region file"), "short at the end");
        }
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(0x34, bytes[0x1000]);
    }

    @Test
    void aFailedPreadNamesTheCallTheTargetAndErrno() {
        try (Arena arena = Arena.ofConfined()) {
            SyscallException e = assertThrows(SyscallException.class,
                    () -> sys.pread(987654, arena.allocate(4), 0x700, "0000:01:00.0 region 7"));
            assertEquals(Errno.EBADF, e.errno());
            assertTrue(e.getMessage().startsWith("pread on 0000:01:00.0 region 7 at 0x700 failed: EBADF"), e.getMessage());
        }
    }

    @Test
    void eventfdsOpenAndClose() {
        int fd = sys.eventfd(0, Libc.EFD_NONBLOCK);
        assertTrue(fd >= 0);
        sys.close(fd);
        assertThrows(SyscallException.class, () -> sys.close(fd));
    }

    @Test
    void groupMembersComeFromSysfs(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("22/devices/0000:01:00.1"));
        Files.createDirectories(dir.resolve("22/devices/0000:01:00.0"));
        NativeVfioSys withSysfs = new NativeVfioSys(dir);
        assertEquals(List.of("0000:01:00.0", "0000:01:00.1"), withSysfs.iommuGroupDevices(22));
        assertEquals(List.of(), withSysfs.iommuGroupDevices(23));
    }
}
