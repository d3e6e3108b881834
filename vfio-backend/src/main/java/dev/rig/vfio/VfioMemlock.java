package dev.rig.vfio;

import dev.rig.vfio.sys.VfioSys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * VFIO's type1 IOMMU pins every page it maps and charges it to the process's locked memory, which RLIMIT_MEMLOCK
 * caps unless the process has CAP_IPC_LOCK (vfio_iommu_type1: vfio_lock_acct). Guest RAM is mapped whole, so the
 * whole of it must fit: this says so before any mapping is attempted, with how to raise the limit.
 *
 * @param softLimit RLIMIT_MEMLOCK's soft limit in bytes ({@link VfioSys.Rlimit#INFINITY} for none)
 * @param hardLimit its hard limit, the most an unprivileged `ulimit -l` can raise the soft limit to
 * @param ipcLockCapable whether the process has CAP_IPC_LOCK (root usually does), which lifts the limit
 * @param lockedBytes what the process has locked already (VmLck)
 */
public record VfioMemlock(long softLimit, long hardLimit, boolean ipcLockCapable, long lockedBytes) {
    private static final long PAGE = 4096;
    private static final int CAP_IPC_LOCK = 14;

    /** Bytes of locked memory that mapping guest RAM of this size for DMA needs: all of it, page-rounded. */
    public static long requiredBytes(long guestRamBytes) {
        if (guestRamBytes < 0) throw new IllegalArgumentException("negative guest RAM size " + guestRamBytes);
        return Math.ceilDiv(guestRamBytes, PAGE) * PAGE;
    }

    /** This process's limit (getrlimit through the seam) and state (/proc/self/status). */
    public static VfioMemlock current(VfioSys sys) {
        return current(sys, Path.of("/proc/self/status"));
    }

    public static VfioMemlock current(VfioSys sys, Path procStatus) {
        VfioSys.Rlimit limit = sys.getrlimit(VfioSys.RLIMIT_MEMLOCK);
        boolean capable = false;
        long locked = 0;
        try {
            List<String> lines = Files.readAllLines(procStatus);
            for (String line : lines) {
                if (line.startsWith("CapEff:"))
                    capable = (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << CAP_IPC_LOCK)) != 0;
                else if (line.startsWith("VmLck:"))
                    locked = Long.parseLong(line.substring(6).replace("kB", "").strip()) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            // Without the status file assume no privilege and nothing locked: the check may then be too strict,
            // never too lenient.
        }
        return new VfioMemlock(limit.soft(), limit.hard(), capable, locked);
    }

    public boolean unlimited() {
        return ipcLockCapable || softLimit == VfioSys.Rlimit.INFINITY;
    }

    /** How many more bytes may be pinned now. */
    public long available() {
        return unlimited() ? Long.MAX_VALUE : Math.max(0, softLimit - lockedBytes);
    }

    /** The refusal for mapping this much guest RAM, or empty when it fits. */
    public Optional<String> refusal(long guestRamBytes) {
        long need = requiredBytes(guestRamBytes);
        if (need <= available()) return Optional.empty();
        return Optional.of("VFIO pins all guest RAM for device DMA: " + size(need) + " needs RLIMIT_MEMLOCK of at least "
                + size(need + lockedBytes) + ", but the limit is " + size(softLimit)
                + (lockedBytes > 0 ? " with " + size(lockedBytes) + " locked already" : "") + ". " + howToRaise(need + lockedBytes));
    }

    /** Throws the {@link #refusal} when there is one. */
    public void require(long guestRamBytes) {
        refusal(guestRamBytes).ifPresent(message -> { throw new VfioException(message); });
    }

    /** The ways to raise the limit for a process that must pin {@code bytes}. */
    public String howToRaise(long bytes) {
        long kib = Math.ceilDiv(bytes, 1024);
        String hard = hardLimit != VfioSys.Rlimit.INFINITY && hardLimit < bytes
                ? " (the hard limit is " + size(hardLimit) + ", so an unprivileged ulimit cannot go that high)" : "";
        return "Raise it for the user that runs Rig: `ulimit -l " + kib + "` (or `ulimit -l unlimited`) in the shell that "
                + "starts it" + hard + "; LimitMEMLOCK=" + kib + "K (or infinity) in its systemd unit; or lines '<user> "
                + "soft memlock " + kib + "' and '<user> hard memlock " + kib + "' in /etc/security/limits.conf, then log "
                + "in again. A process with CAP_IPC_LOCK is not limited.";
    }

    static String size(long bytes) {
        if (bytes == VfioSys.Rlimit.INFINITY) return "unlimited";
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1 && v % 1024 == 0) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.0f %s", v, units[u]);
    }
}
