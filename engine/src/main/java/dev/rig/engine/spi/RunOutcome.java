package dev.rig.engine.spi;

/** How a run ended, and the exit status `rig run` gives for it. */
public sealed interface RunOutcome {
    /** Exit statuses for outcomes that are not the guest's own code. */
    int STATUS_FAILED = 1, STATUS_SHUTDOWN = 3, STATUS_PANICKED = 4, STATUS_STOPPED = 130;

    RunStats stats();

    int exitStatus();

    String describe();

    /** The same outcome with the run's counters. */
    default RunOutcome withStats(RunStats s) {
        return switch (this) {
            case GuestExit g -> new GuestExit(g.code(), s);
            case Halted h -> new Halted(s);
            case Rebooted r -> new Rebooted(r.how(), s);
            case PoweredOff p -> new PoweredOff(s);
            case Shutdown d -> new Shutdown(d.reason(), s);
            case Panicked p -> new Panicked(p.how(), s);
            case Stopped t -> new Stopped(s);
            case Failed f -> new Failed(f.reason(), s);
        };
    }

    /** The guest wrote its exit code to the debug-exit port. */
    record GuestExit(int code, RunStats stats) implements RunOutcome {
        public int exitStatus() { return code; }

        public String describe() { return "guest exited with code " + code; }
    }

    /** Every vCPU halted with nothing that could wake it. */
    record Halted(RunStats stats) implements RunOutcome {
        public int exitStatus() { return 0; }

        public String describe() { return "all vCPUs halted"; }
    }

    /** The guest reset the machine (keyboard controller, ACPI reset register): a reboot ends the run. */
    record Rebooted(String how, RunStats stats) implements RunOutcome {
        public int exitStatus() { return 0; }

        public String describe() { return "the guest rebooted (" + how + ")"; }
    }

    /** The guest powered off (ACPI S5). */
    record PoweredOff(RunStats stats) implements RunOutcome {
        public int exitStatus() { return 0; }

        public String describe() { return "the guest powered off"; }
    }

    /** A vCPU shut down (triple fault), or the guest stopped in a way that is not a clean power-off. */
    record Shutdown(String reason, RunStats stats) implements RunOutcome {
        public int exitStatus() { return STATUS_SHUTDOWN; }

        public String describe() { return "guest shut down: " + reason; }
    }

    /** The guest kernel said it panicked (pvpanic), so the run ends there rather than in a hang or a reboot. */
    record Panicked(String how, RunStats stats) implements RunOutcome {
        public int exitStatus() { return STATUS_PANICKED; }

        public String describe() { return "the guest kernel panicked (" + how + ")"; }
    }

    /** Stopped on request (Ctrl-C, a hook, the API). */
    record Stopped(RunStats stats) implements RunOutcome {
        public int exitStatus() { return STATUS_STOPPED; }

        public String describe() { return "stopped on request"; }
    }

    /** The VM could not be built or could not go on: a host error, a hook, an entry failure, a device fault. */
    record Failed(String reason, RunStats stats) implements RunOutcome {
        public int exitStatus() { return STATUS_FAILED; }

        /** The reason alone: it already says what failed ("cannot open /dev/kvm: ...", "hook on('booted') ..."). */
        public String describe() { return reason; }
    }
}
