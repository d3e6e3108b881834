package dev.rig.vfio;

import dev.rig.vfio.sys.NativeVfioSys;
import dev.rig.vfio.sys.VfioSys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VfioMemlockTest {
    private static final long MiB = 1 << 20;

    @Test
    void theNeedIsAllGuestRamRoundedToPages() {
        assertEquals(0, VfioMemlock.requiredBytes(0));
        assertEquals(4096, VfioMemlock.requiredBytes(1));
        assertEquals(64 * MiB, VfioMemlock.requiredBytes(64 * MiB));
    }

    @Test
    void aLowLimitIsRefusedWithHowToRaiseIt() {
        VfioMemlock limit = new VfioMemlock(8 * MiB, 8 * MiB, false, 0);
        String message = limit.refusal(64 * MiB).orElseThrow();
        for (String part : new String[] {"64 MiB needs RLIMIT_MEMLOCK of at least 64 MiB", "the limit is 8 MiB",
                "`ulimit -l 65536`", "LimitMEMLOCK=65536K", "soft memlock 65536", "/etc/security/limits.conf",
                "the hard limit is 8 MiB", "CAP_IPC_LOCK"})
            assertTrue(message.contains(part), "«" + part + "» missing from: " + message);
        VfioException e = assertThrows(VfioException.class, () -> limit.require(64 * MiB));
        assertEquals(message, e.getMessage());
    }

    @Test
    void memoryLockedAlreadyCounts() {
        VfioMemlock limit = new VfioMemlock(64 * MiB, VfioSys.Rlimit.INFINITY, false, 8 * MiB);
        assertEquals(56 * MiB, limit.available());
        String message = limit.refusal(64 * MiB).orElseThrow();
        assertTrue(message.contains("at least 72 MiB") && message.contains("8 MiB locked already"), message);
        assertTrue(!message.contains("hard limit"), "an unlimited hard limit needs no warning: " + message);
    }

    @Test
    void enoughUnlimitedOrPrivilegedIsAccepted() {
        assertEquals(Optional.empty(), new VfioMemlock(64 * MiB, 64 * MiB, false, 0).refusal(64 * MiB));
        assertEquals(Optional.empty(), new VfioMemlock(VfioSys.Rlimit.INFINITY, VfioSys.Rlimit.INFINITY, false, 0)
                .refusal(1L << 40));
        assertEquals(Optional.empty(), new VfioMemlock(64 * 1024, 64 * 1024, true, 0).refusal(1L << 40),
                "CAP_IPC_LOCK lifts the limit");
    }

    @Test
    void readsPrivilegeAndLockedMemoryFromProcStatus(@TempDir Path dir) throws IOException {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nVmLck:\t    2048 kB\nCapEff:\t0000000000000000\n");
        VfioSys sys = new RlimitOnlySys(new VfioSys.Rlimit(16 * MiB, 32 * MiB));
        assertEquals(new VfioMemlock(16 * MiB, 32 * MiB, false, 2 * MiB), VfioMemlock.current(sys, status));
        Files.writeString(status, "VmLck:\t0 kB\nCapEff:\t0000000000004000\n");
        assertTrue(VfioMemlock.current(sys, status).ipcLockCapable(), "bit 14 is CAP_IPC_LOCK");
    }

    @Test
    void theRealLimitComesFromGetrlimitAsProcSelfLimitsShowsIt() throws IOException {
        VfioMemlock real = VfioMemlock.current(NativeVfioSys.INSTANCE);
        String line = Files.readAllLines(Path.of("/proc/self/limits")).stream()
                .filter(l -> l.startsWith("Max locked memory")).findFirst().orElseThrow();
        String[] f = line.substring("Max locked memory".length()).trim().split("\\s+");
        assertEquals(f[0].equals("unlimited") ? VfioSys.Rlimit.INFINITY : Long.parseLong(f[0]), real.softLimit());
        assertEquals(f[1].equals("unlimited") ? VfioSys.Rlimit.INFINITY : Long.parseLong(f[1]), real.hardLimit());
    }
}
