package dev.rig.engine.hostprep;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Who took a device off its host driver: a {@code rig host bind} (the user wants it kept on vfio-pci until
 * {@code rig host unbind}), or a run with managed devices (which gives it back when it ends, or
 * {@code rig host restore} does once the run's process is gone).
 *
 * @param kind         bind or run
 * @param pid          the process that took it
 * @param processStart that process's start time, so that a recycled pid is not taken for the same process
 * @param description  for messages: "rig host bind", "rig run vm.groovy"
 */
public record Owner(Kind kind, long pid, Optional<Instant> processStart, String description) {

    public enum Kind {
        BIND, RUN;

        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Owner {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(processStart, "processStart");
        Objects.requireNonNull(description, "description");
    }

    /** {@code rig host bind} in this process. */
    public static Owner manualBind() {
        return current(Kind.BIND, "rig host bind");
    }

    /** A run in this process that takes its managed devices, e.g. {@code Owner.run("rig run vm.groovy")}. */
    public static Owner run(String description) {
        return current(Kind.RUN, description);
    }

    private static Owner current(Kind kind, String description) {
        ProcessHandle self = ProcessHandle.current();
        return new Owner(kind, self.pid(), self.info().startInstant(), description);
    }

    /** Whether the process that took the device is still running (same pid and, when known, same start time). */
    public boolean isAlive() {
        return ProcessHandle.of(pid)
                .filter(p -> processStart.isEmpty() || p.info().startInstant().isEmpty()
                        || p.info().startInstant().get().equals(processStart.get()))
                .map(ProcessHandle::isAlive)
                .orElse(false);
    }

    /** Same kind and same process. */
    public boolean sameAs(Owner other) {
        return kind == other.kind && pid == other.pid && processStart.equals(other.processStart);
    }

    @Override
    public String toString() {
        return description + " (pid " + pid + ")";
    }
}
