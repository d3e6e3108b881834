package dev.rig.hostprep

import dev.rig.engine.host.PciAddress
import dev.rig.engine.hostprep.BindJournal
import dev.rig.engine.hostprep.DriverBinder
import dev.rig.engine.hostprep.HostPrepException
import dev.rig.engine.hostprep.ManagedDevices
import dev.rig.engine.hostprep.Owner
import dev.rig.testing.FakeHost
import dev.rig.testing.FakeKernel
import dev.rig.testing.FakeSysfs
import dev.rig.testing.SeedHosts
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant

/** The journal written before each bind, and giving devices back after a crash: rig host restore and managed runs. */
class RestoreSpec extends Specification {

    @TempDir
    Path tmp

    def cleanup() {
        FakeSysfs.deleteTree(tmp)
    }

    static List<PciAddress> bdfs(String... text) { text.collect { PciAddress.parse(it) } }

    /** A run that was killed: this pid, but another start time, so it reads as a process that is gone. */
    static Owner deadRun() {
        new Owner(Owner.Kind.RUN, ProcessHandle.current().pid(), Optional.of(Instant.EPOCH), 'rig run vm.groovy')
    }

    def "the journal holds the device's driver before the first sysfs write for it"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()
        Map<String, List<String>> journaledAtWrite = [:]
        host.kernel.beforeWrite = { String rel, String text ->
            journaledAtWrite[rel] = host.journal().entries()*.address()*.toString()
        }

        when:
        host.binder().bind(bdfs('01:00.0', '01:00.1'), DriverBinder.Options.DEFAULT, Owner.manualBind())

        then:
        journaledAtWrite['bus/pci/devices/0000:01:00.0/driver_override'] == ['0000:01:00.0']
        journaledAtWrite['bus/pci/devices/0000:01:00.1/driver_override'] == ['0000:01:00.0', '0000:01:00.1']

        and: 'the file is the documented JSON'
        def json = new JsonSlurper().parse(host.journal().file().toFile())
        json.format == 'rig-host-journal' && json.version == 1
        json.entries*.address == ['0000:01:00.0', '0000:01:00.1']
        json.entries*.originalDriver == ['nvidia', 'snd_hda_intel']
        json.entries*.originalOverride == [null, null]
        json.entries*.owner*.kind == ['bind', 'bind']
        json.entries*.owner*.pid == [ProcessHandle.current().pid()] * 2
    }

    def "killed after unbinding nvidia, before the probe: restore puts it back on nvidia with the override cleared"() {
        given: 'a run is killed at its third write (drivers_probe for 01:00.0)'
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()
        host.kernel.crashAtWrite = 3

        when:
        host.binder().bind(bdfs('01:00.0', '01:00.1'), DriverBinder.Options.DEFAULT, deadRun())

        then:
        thrown(FakeKernel.SimulatedCrash)
        host.driver('01:00.0') == null
        host.override('01:00.0') == 'vfio-pci\n'
        host.journal().entries()*.address() == bdfs('01:00.0')

        when: 'a new rig process restores'
        host.kernel.crashAtWrite = null
        host.kernel.writes.clear()
        def result = host.binder().restore(false)

        then:
        result.changes()*.describe() == ['0000:01:00.0: no driver -> nvidia']
        result.skipped().isEmpty() && result.failed().isEmpty()
        host.kernel.writes == ['bus/pci/devices/0000:01:00.0/driver_override <- \\n',
                               'bus/pci/drivers_probe <- 0000:01:00.0']
        host.driver('01:00.0') == 'nvidia'
        host.override('01:00.0') == '(null)\n'
        host.journal().entries().isEmpty()
        !Files.exists(host.journal().file())
    }

    def "killed with the whole group on vfio-pci: restore gives both back; a second restore has nothing to do"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()
        host.binder().bind(bdfs('01:00.0', '01:00.1'), DriverBinder.Options.DEFAULT, deadRun())

        when:
        def result = host.binder().restore(false)

        then:
        result.changes()*.describe() == ['0000:01:00.0: vfio-pci -> nvidia', '0000:01:00.1: vfio-pci -> snd_hda_intel']
        host.driver('01:00.0') == 'nvidia' && host.driver('01:00.1') == 'snd_hda_intel'

        when:
        def again = host.binder().restore(false)

        then:
        again.changes().isEmpty() && again.skipped().isEmpty()
    }

    def "killed before the first write: the device is still on its driver and restore just drops the entry"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }.loadVfio()
        host.kernel.crashAtWrite = 1

        when:
        host.binder().bind(bdfs('01:00.0'), DriverBinder.Options.DEFAULT, deadRun())

        then:
        thrown(FakeKernel.SimulatedCrash)

        when:
        host.kernel.crashAtWrite = null
        def result = host.binder().restore(false)

        then:
        result.changes()*.describe() == ['0000:01:00.0: still on rtsx_pci; dropped from the journal']
        host.kernel.writes == ['bus/pci/devices/0000:01:00.0/driver_override <- vfio-pci']   // the one that was cut
        host.driver('01:00.0') == 'rtsx_pci'
        host.override('01:00.0') == '(null)\n'
        host.journal().entries().isEmpty()
    }

    def "restore keeps devices of a run that is still going, and those of rig host bind unless --all"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it, 2) }.loadVfio()
        host.binder().bind(bdfs('01:00.0'), DriverBinder.Options.DEFAULT, Owner.run('rig run live.groovy'))
        host.binder().bind(bdfs('02:00.0'), DriverBinder.Options.DEFAULT, Owner.manualBind())
        long pid = ProcessHandle.current().pid()

        when:
        def result = host.binder().restore(false)

        then:
        result.changes().isEmpty()
        result.skipped() == [
                "0000:01:00.0: held by rig run live.groovy (pid $pid), which is still running".toString(),
                '0000:02:00.0: bound by rig host bind; kept on vfio-pci (rig host unbind 0000:02:00.0 or rig host restore --all gives it back)']

        when:
        def all = host.binder().restore(true)

        then:
        all.changes()*.describe() == ['0000:02:00.0: vfio-pci -> rtsx_pci']
        all.skipped().size() == 1
        host.driver('01:00.0') == 'vfio-pci'
    }

    def "a device that is gone since (a removed VF) is dropped from the journal"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.hi1822(it) }.loadVfio()
        host.binder().bind(bdfs('03:00.2'), DriverBinder.Options.DEFAULT, deadRun())
        host.sys.removeDevice('03:00.2')

        when:
        def result = host.binder().restore(false)

        then:
        result.changes()*.describe() == ['0000:03:00.2: no longer present (removed or hot-unplugged); dropped from the journal']
        host.journal().entries().isEmpty()
    }

    def "a device someone moved to another driver since is left alone"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }.loadVfio()
        host.binder().bind(bdfs('01:00.0'), DriverBinder.Options.DEFAULT, deadRun())
        host.sys.unbindDriver('01:00.0').bindDriver('01:00.0', 'pci-stub')
        host.kernel.writes.clear()

        when:
        def result = host.binder().restore(false)

        then:
        result.changes()*.describe() == ['0000:01:00.0: now on pci-stub, not on vfio-pci where Rig left it: left alone and dropped from the journal']
        host.kernel.writes.isEmpty()
        host.driver('01:00.0') == 'pci-stub'
    }

    def "when giving back fails the entry stays for a later restore, and the failure is reported"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }.loadVfio()
        host.binder().bind(bdfs('01:00.0'), DriverBinder.Options.DEFAULT, deadRun())
        host.kernel.matchingDrivers['0000:01:00.0'] = []        // rtsx_pci matches no more (say, blacklisted)
        FakeSysfs.deleteTree(host.sys.driverDir('rtsx_pci'))
        Files.delete(host.sys.driverDir('rtsx_pci'))

        when:
        def result = host.binder().restore(false)

        then:
        result.failed() == ['0000:01:00.0 cannot go back to rtsx_pci: that driver is not loaded (sudo modprobe rtsx_pci, then rig host restore --all)']
        host.journal().entries()*.address() == bdfs('01:00.0')
    }

    def "a damaged journal is reported with what to do"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }.loadVfio()
        Files.createDirectories(host.stateDir)
        host.journal().file().text = '{"format": "rig-host-journal", "version": 1, "entries": [ {"address": "01:00.0"'

        when:
        host.binder().restore(false)

        then:
        def e = thrown(HostPrepException)
        e.message.startsWith("the journal ${host.journal().file()} is damaged: ")
        e.message.endsWith('; give its devices back by hand (rig host unbind BDF...) and delete it')
    }

    def "a managed run binds its device and the group siblings it passes, and gives back only what it took"() {
        given: 'the audio function is on vfio-pci already, bound by hand'
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()
        host.sys.write('01:00.1', 'driver_override', 'vfio-pci\n')
        host.sys.unbindDriver('01:00.1').bindDriver('01:00.1', 'vfio-pci')
        def owner = Owner.run('rig run gpu.groovy')

        when:
        def managed = ManagedDevices.take(host.binder(), host.sys.inventory(), bdfs('01:00.0'),
                bdfs('01:00.0', '01:00.1'), owner)

        then:
        managed.taken()*.describe() == ['0000:01:00.0: nvidia -> vfio-pci', '0000:01:00.1: already on vfio-pci']
        host.driver('01:00.0') == 'vfio-pci'

        when:
        managed.close()
        managed.close()

        then:
        host.driver('01:00.0') == 'nvidia'
        host.driver('01:00.1') == 'vfio-pci'
        host.journal().entries().isEmpty()
    }

    def "a managed device whose group sibling the script does not pass is refused, naming it"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()

        when:
        ManagedDevices.take(host.binder(), host.sys.inventory(), bdfs('01:00.0'), bdfs('01:00.0'),
                Owner.run('rig run gpu.groovy'))

        then:
        def e = thrown(HostPrepException)
        e.message.startsWith('0000:01:00.0 is in IOMMU group 22 with 0000:01:00.1 (snd_hda_intel)')
        host.driver('01:00.0') == 'nvidia'
    }

    def "two journals on one state directory serialize on the lock"() {
        given:
        def dir = tmp.resolve('state')
        def a = new BindJournal(dir)
        def b = new BindJournal(dir)
        def order = Collections.synchronizedList([])

        when:
        def t = Thread.start {
            a.locked { order << 'a in'; Thread.sleep(300); order << 'a out'; null }
        }
        Thread.sleep(100)
        b.locked { order << 'b in'; null }
        t.join()

        then:
        order == ['a in', 'a out', 'b in']
    }
}
