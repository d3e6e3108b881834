package dev.rig.engine.spi;

/** Counters from a run: exits that reached user space by kind, and the time the vCPUs ran. */
public record RunStats(long pioExits, long mmioExits, long otherExits, long runNanos) {
    public static final RunStats NONE = new RunStats(0, 0, 0, 0);

    public long exits() { return pioExits + mmioExits + otherExits; }

    public RunStats plus(RunStats o) {
        return new RunStats(pioExits + o.pioExits, mmioExits + o.mmioExits, otherExits + o.otherExits,
                Math.max(runNanos, o.runNanos));
    }
}
