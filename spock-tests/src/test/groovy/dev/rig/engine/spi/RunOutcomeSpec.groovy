package dev.rig.engine.spi

import spock.lang.Specification

/** Each way a run ends has its own exit status and one line for `rig run` to print. */
class RunOutcomeSpec extends Specification {
    static final RunStats STATS = new RunStats(3, 2, 1, 1000)

    def "#outcome.class.simpleName: status #status, '#line'"() {
        expect:
        outcome.exitStatus() == status
        outcome.describe() == line
        outcome.withStats(STATS).stats() == STATS
        outcome.withStats(STATS).describe() == line

        where:
        outcome                                                             || status | line
        new RunOutcome.GuestExit(7, RunStats.NONE)                          || 7      | 'guest exited with code 7'
        new RunOutcome.Halted(RunStats.NONE)                                || 0      | 'all vCPUs halted'
        new RunOutcome.Rebooted('ACPI reset register', RunStats.NONE)      || 0      | 'the guest rebooted (ACPI reset register)'
        new RunOutcome.PoweredOff(RunStats.NONE)                            || 0      | 'the guest powered off'
        new RunOutcome.Shutdown('vcpu 0 shut down (triple fault)', RunStats.NONE) || 3 | 'guest shut down: vcpu 0 shut down (triple fault)'
        new RunOutcome.Panicked('pvpanic', RunStats.NONE)                   || 4      | 'the guest kernel panicked (pvpanic)'
        new RunOutcome.Stopped(RunStats.NONE)                               || 130    | 'stopped on request'
        new RunOutcome.Failed('cannot open /dev/kvm', RunStats.NONE)        || 1      | 'cannot open /dev/kvm'
    }

    def "a panic is not mistaken for a clean ending"() {
        expect:
        new RunOutcome.Panicked('pvpanic', RunStats.NONE).exitStatus() != 0
        RunOutcome.STATUS_PANICKED != RunOutcome.STATUS_SHUTDOWN
    }
}
