package dev.rig.engine.hostprep;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code /proc/self/status} and {@code /proc/self/limits} say about this process: its effective uid, whether
 * it has CAP_IPC_LOCK (which lifts RLIMIT_MEMLOCK for VFIO's page pinning), and RLIMIT_MEMLOCK itself.
 */
record ProcStatus(long effectiveUid, boolean ipcLock, Optional<Long> memlockSoft, Optional<Long> memlockHard) {

    static final int CAP_IPC_LOCK = 14;
    /** How /proc/self/limits writes "no limit"; kept as -1 here. */
    static final long UNLIMITED = -1;

    private static final Pattern UID = Pattern.compile("(?m)^Uid:\\s+\\d+\\s+(\\d+)");
    private static final Pattern CAP_EFF = Pattern.compile("(?m)^CapEff:\\s+(\\p{XDigit}+)");
    private static final Pattern MEMLOCK = Pattern.compile("(?m)^Max locked memory\\s+(\\S+)\\s+(\\S+)");

    static ProcStatus self(Path proc) {
        String status = SysfsReads.text(proc.resolve("self/status")).orElse("");
        String limits = SysfsReads.text(proc.resolve("self/limits")).orElse("");
        Matcher uid = UID.matcher(status);
        Matcher cap = CAP_EFF.matcher(status);
        Matcher mem = MEMLOCK.matcher(limits);
        boolean hasMem = mem.find();
        return new ProcStatus(
                uid.find() ? Long.parseLong(uid.group(1)) : -1,
                cap.find() && (Long.parseUnsignedLong(cap.group(1), 16) & (1L << CAP_IPC_LOCK)) != 0,
                hasMem ? limit(mem.group(1)) : Optional.empty(),
                hasMem ? limit(mem.group(2)) : Optional.empty());
    }

    private static Optional<Long> limit(String text) {
        if (text.equals("unlimited")) {
            return Optional.of(UNLIMITED);
        }
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
