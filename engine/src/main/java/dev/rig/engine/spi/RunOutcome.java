package dev.rig.engine.spi;

/** How a run ended, and the exit status `rig run` gives for it. */
public sealed interface RunOutcome {
    /** Exit statuses for outcomes that are not the guest's own code. */
    int STATUS_FAILED = 1, STATUS_SHUTDOWN = 3, STATUS_STOPPED = 130;

    RunStats stats();

    int exitStatus();

    String describe();

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

    /** A vCPU shut down (triple fault) or the guest asked for power-off or reset. */
    record Shutdown(String reason, RunStats stats) implements RunOutcome {
        public int exitStatus() { return STATUS_SHUTDOWN; }

        public String describe() { return "guest shut down: " + reason; }
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
