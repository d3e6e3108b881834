package dev.rig.hostprep

import dev.rig.engine.Rig
import dev.rig.engine.host.SysfsHostInventory
import dev.rig.engine.hostprep.ManagedHostPreparation
import dev.rig.engine.model.Boot
import dev.rig.engine.model.VmSpec
import dev.rig.engine.spi.Hypervisor
import dev.rig.engine.spi.Machine
import dev.rig.engine.spi.RunOutcome
import dev.rig.engine.spi.RunStats
import dev.rig.engine.spi.SerialPort
import dev.rig.engine.spi.VmPlan
import dev.rig.testing.FakeHost
import dev.rig.testing.FakeSysfs
import dev.rig.testing.SeedHosts
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Path
import java.util.function.Consumer

/**
 * Managed devices in a run's lifecycle (against a fake host): host-prepare binds them to vfio-pci before the
 * machine is created, teardown gives them back after it is closed, on every path. The lab does it with edu.
 */
class ManagedRunSpec extends Specification {
    @TempDir
    Path tmp

    def cleanup() { FakeSysfs.deleteTree(tmp) }

    /** A backend that records the drivers it finds when it creates and closes the machine, and can fail. */
    static class RecordingHypervisor implements Hypervisor {
        final FakeHost host
        final List<String> seen = []
        String failIn

        RecordingHypervisor(FakeHost host) { this.host = host }

        String name() { 'recording' }

        List<String> builtinGuests() { ['hello'] }

        long minimumMemory(Boot boot) { 1 << 20 }

        List<dev.rig.engine.validate.Problem> unsupported(VmSpec vm) { [] }

        private String drivers() { "${host.driver('01:00.0')}+${host.driver('01:00.1')}" }

        Machine create(VmPlan plan) {
            seen << "create: ${drivers()}".toString()
            if (failIn == 'create') throw new IllegalStateException('VFIO said no')
            def serial = [addOutputListener: { Consumer c -> }, addEndListener: { Consumer c -> }, receive: { byte[] b -> }] as SerialPort
            def hv = this
            [start: { if (hv.failIn == 'start') throw new IllegalStateException('vCPU failed') },
             awaitOutcome: { new RunOutcome.GuestExit(0, RunStats.NONE) },
             serial: { serial }, requestStop: { },
             close: { hv.seen << "close: ${hv.drivers()}".toString() }] as Machine
        }
    }

    private Map run(String failIn) {
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()
        def hv = new RecordingHypervisor(host)
        hv.failIn = failIn
        def rig = new Rig(hv, { new SysfsHostInventory(host.paths.sysfs()) })
                .withHostPreparation(new ManagedHostPreparation({ host.binder() }, { new SysfsHostInventory(host.paths.sysfs()) }))
        def vm = Rig.vm('gpu').memory('64M').guest('hello').device('0000:01:00.0').device('0000:01:00.1').build()
        def outcome = rig.run(vm)
        [outcome: outcome, seen: hv.seen, after: "${host.driver('01:00.0')}+${host.driver('01:00.1')}".toString(),
         journal: host.journal().entries()]
    }

    def "managed devices are on vfio-pci while the machine exists and back on their drivers after"() {
        when:
        def r = run(null)

        then:
        r.outcome instanceof RunOutcome.GuestExit
        r.seen == ['create: vfio-pci+vfio-pci', 'close: vfio-pci+vfio-pci']
        r.after == 'nvidia+snd_hda_intel'
        r.journal.isEmpty()
    }

    def "a failure in #step still gives the devices back, after the machine is closed"() {
        when:
        def r = run(step)

        then:
        r.outcome instanceof RunOutcome.Failed
        r.outcome.describe().contains(message)
        r.seen.first() == 'create: vfio-pci+vfio-pci'
        r.after == 'nvidia+snd_hda_intel'
        r.journal.isEmpty()

        where:
        step     | message
        'create' | 'VFIO said no'
        'start'  | 'vCPU failed'
    }
}
