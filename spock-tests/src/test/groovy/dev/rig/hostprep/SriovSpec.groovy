package dev.rig.hostprep

import dev.rig.engine.host.PciAddress
import dev.rig.engine.hostprep.DriverBinder
import dev.rig.engine.hostprep.HostPrepException
import dev.rig.engine.hostprep.Owner
import dev.rig.engine.hostprep.SriovConfigurator
import dev.rig.testing.FakeHost
import dev.rig.testing.FakeSysfs
import dev.rig.testing.SeedHosts
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Path

import static dev.rig.testing.FakeSysfs.KiB

/** Creating and removing VFs of the StratoVirt guide's Hi1822 PF (03:00.0, 4 of 16 VFs enabled) through sriov_numvfs. */
class SriovSpec extends Specification {

    @TempDir
    Path tmp

    FakeHost host

    def setup() {
        host = FakeHost.of(tmp) { SeedHosts.hi1822(it) }.loadVfio()
        host.kernel.virtualFunctions('0000:03:00.0') { int i ->
            vendor 0x19e5; device 0x375e; revision 0x45; classCode 0x020000
            subsystem 0x19e5, 0xd129
            driver 'hinic'; iommuGroup 10 + i; numaNode 0
            bar 0, size: 32 * KiB, kind: 'mem64', prefetchable: true
        }
    }

    def cleanup() {
        FakeSysfs.deleteTree(tmp)
    }

    SriovConfigurator sriov() { new SriovConfigurator(host.paths, host.kernel) }

    static PciAddress a(String text) { PciAddress.parse(text) }

    def "going from 4 VFs to 2 writes 0 first, as the kernel requires, then lists the new VFs"() {
        when:
        def r = sriov().setVfs(a('03:00.0'), 2, false)

        then:
        host.kernel.writes == ['bus/pci/devices/0000:03:00.0/sriov_numvfs <- 0',
                               'bus/pci/devices/0000:03:00.0/sriov_numvfs <- 2']
        r.before() == 4
        r.vfs()*.address()*.toString() == ['0000:03:00.1', '0000:03:00.2']
        r.vfs()*.vendorDeviceId() == ['19e5:375e'] * 2
        r.vfs()*.physfn()*.get() == [a('03:00.0')] * 2
        r.pf().sriov().get().numVfs() == 2
        host.sys.inventory().device(a('03:00.3')).isEmpty()
    }

    def "removing all VFs writes 0 once; creating 16 from none writes 16 once (with ARI-style numbering past function 7)"() {
        when:
        def gone = sriov().setVfs(a('03:00.0'), 0, false)

        then:
        host.kernel.writes == ['bus/pci/devices/0000:03:00.0/sriov_numvfs <- 0']
        gone.vfs().isEmpty()
        !host.sys.inventory().devices().any { it.physfn().isPresent() }

        when:
        host.kernel.writes.clear()
        def all = sriov().setVfs(a('03:00.0'), 16, false)

        then:
        host.kernel.writes == ['bus/pci/devices/0000:03:00.0/sriov_numvfs <- 16']
        all.vfs().size() == 16
        all.vfs().last().address() == a('03:02.0')
    }

    def "asking for the count there is changes nothing"() {
        given:
        def before = host.tree()

        when:
        def r = sriov().setVfs(a('03:00.0'), 4, false)

        then:
        r.vfs().size() == 4
        host.kernel.writes.isEmpty()
        host.changesSince(before) == []
    }

    def "bad requests are refused, the tree byte-for-byte unchanged: #what"() {
        given:
        def before = host.tree()

        when:
        sriov().setVfs(a(pf), count, false)

        then:
        def e = thrown(HostPrepException)
        e.message == message
        host.kernel.writes.isEmpty()
        host.changesSince(before) == []

        where:
        what                  | pf        | count || message
        'above the total'     | '03:00.0' | 17    || '0000:03:00.0 supports at most 16 VFs (sriov_totalvfs); 17 asked'
        'a negative count'    | '03:00.0' | -1    || 'the VF count must be 0 or more, not -1'
        'no SR-IOV'           | '04:00.0' | 2     || '0000:04:00.0 (19e5:1822) has no SR-IOV capability (no sriov_totalvfs)'
        'a VF'                | '03:00.2' | 2     || '0000:03:00.2 is a virtual function of 0000:03:00.0: set the VF count on the physical function'
        'an unknown device'   | '09:00.0' | 2     || 'no PCI device 0000:09:00.0 on this host (rig host ls lists them)'
    }

    def "VFs on vfio-pci are not removed unless forced"() {
        given:
        host.binder().bind([a('03:00.3')], DriverBinder.Options.DEFAULT, Owner.manualBind())
        def before = host.tree()

        when:
        sriov().setVfs(a('03:00.0'), 0, false)

        then:
        def e = thrown(HostPrepException)
        e.message == 'changing the VF count removes VF 0000:03:00.3: it is on vfio-pci, so a guest may be using it. ' +
                'Give it back first (rig host unbind 0000:03:00.3) or add --force'
        host.changesSince(before) == []

        when:
        def r = sriov().setVfs(a('03:00.0'), 0, true)

        then:
        r.vfs().isEmpty()
        !host.paths.dev().resolve('vfio/12').toFile().exists()
    }

    def "a PF without a driver cannot make VFs"() {
        given:
        host.sys.unbindDriver('03:00.0')

        when:
        sriov().setVfs(a('03:00.0'), 2, false)

        then:
        def e = thrown(HostPrepException)
        e.message == '0000:03:00.0 has no driver, and the PF\'s driver is what creates VFs: give it back to its driver ' +
                'first (rig host unbind 0000:03:00.0)'
    }

    def "the kernel's own refusal comes back as a clear error"() {
        given:
        host.kernel.beforeWrite = { String rel, String text -> throw new IOException('Cannot allocate memory') }

        when:
        sriov().setVfs(a('03:00.0'), 0, false)

        then:
        def e = thrown(HostPrepException)
        e.message == "writing 0 to ${host.paths.sysfs()}/bus/pci/devices/0000:03:00.0/sriov_numvfs failed: Cannot allocate memory"
    }
}
