package dev.rig.hostprep

import dev.rig.engine.host.PciAddress
import dev.rig.engine.hostprep.DriverBinder
import dev.rig.engine.hostprep.HostPrepException
import dev.rig.engine.hostprep.Owner
import dev.rig.testing.FakeHost
import dev.rig.testing.FakeSysfs
import dev.rig.testing.SeedHosts
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

import static dev.rig.engine.hostprep.DriverBinder.Options

/** Binding to vfio-pci and giving back, against the seed hosts with a fake kernel behind sysfs. */
class DriverBinderSpec extends Specification {

    @TempDir
    Path tmp

    def cleanup() {
        FakeSysfs.deleteTree(tmp)
    }

    static List<PciAddress> bdfs(String... text) { text.collect { PciAddress.parse(it) } }

    static final Options GROUP = new Options(true, false)
    static final Options FORCE = new Options(false, true)

    def "binding the card reader: override, unbind from rtsx_pci, probe; then it is on vfio-pci"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }.loadVfio()

        when:
        def changes = host.binder().bind(bdfs('01:00.0'), Options.DEFAULT, Owner.manualBind())

        then:
        host.kernel.writes == [
                'bus/pci/devices/0000:01:00.0/driver_override <- vfio-pci',
                'bus/pci/drivers/rtsx_pci/unbind <- 0000:01:00.0',
                'bus/pci/drivers_probe <- 0000:01:00.0']
        host.driver('01:00.0') == 'vfio-pci'
        host.override('01:00.0') == 'vfio-pci\n'
        Files.exists(host.paths.dev().resolve('vfio/11'))
        changes*.describe() == ['0000:01:00.0: rtsx_pci -> vfio-pci']
    }

    def "binding twice changes nothing the second time"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }.loadVfio()
        host.binder().bind(bdfs('01:00.0'), Options.DEFAULT, Owner.manualBind())
        def before = host.tree()
        host.kernel.writes.clear()

        when:
        def changes = host.binder().bind(bdfs('01:00.0'), Options.DEFAULT, Owner.manualBind())

        then:
        changes*.describe() == ['0000:01:00.0: already on vfio-pci']
        host.kernel.writes.isEmpty()
        host.changesSince(before) == []
    }

    def "unbinding gives the device back to rtsx_pci with driver_override cleared; a second unbind does nothing"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }.loadVfio()
        host.binder().bind(bdfs('01:00.0'), Options.DEFAULT, Owner.manualBind())
        host.kernel.writes.clear()

        when:
        def changes = host.binder().unbind(bdfs('01:00.0'), false)

        then:
        host.kernel.writes == [
                'bus/pci/devices/0000:01:00.0/driver_override <- \\n',
                'bus/pci/drivers/vfio-pci/unbind <- 0000:01:00.0',
                'bus/pci/drivers_probe <- 0000:01:00.0']
        host.driver('01:00.0') == 'rtsx_pci'
        host.override('01:00.0') == '(null)\n'
        !Files.exists(host.paths.dev().resolve('vfio/11'))
        changes*.describe() == ['0000:01:00.0: vfio-pci -> rtsx_pci']
        host.journal().entries().isEmpty()

        when:
        host.kernel.writes.clear()
        def again = host.binder().unbind(bdfs('01:00.0'), false)

        then:
        again*.describe() == ['0000:01:00.0: not on vfio-pci; nothing to do']
        host.kernel.writes.isEmpty()
    }

    def "bind then unbind leave the tree as it was, but for the write-only files written (kept as plain files here)"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()
        def before = host.tree()

        when:
        host.binder().bind(bdfs('01:00.0', '01:00.1'), Options.DEFAULT, Owner.manualBind())
        host.binder().unbind(bdfs('01:00.0', '01:00.1'), false)

        then:
        host.changesSince(before) == ['~sys/bus/pci/drivers/nvidia/unbind', '~sys/bus/pci/drivers/snd_hda_intel/unbind',
                                      '~sys/bus/pci/drivers/vfio-pci/unbind', '~sys/bus/pci/drivers_probe']
    }

    def "a device with no driver is bound without an unbind, and given back to no driver"() {
        given: 'the laptop\'s 00:08.0 (Gaussian Mixture Model) has no driver and a group of its own'
        def host = FakeHost.of(tmp) { SeedHosts.laptopWithBridgesAndNvme(it) }.loadVfio()

        when:
        host.binder().bind(bdfs('00:08.0'), Options.DEFAULT, Owner.manualBind())

        then:
        host.kernel.writes == ['bus/pci/devices/0000:00:08.0/driver_override <- vfio-pci',
                               'bus/pci/drivers_probe <- 0000:00:08.0']
        host.driver('00:08.0') == 'vfio-pci'

        when:
        host.binder().unbind(bdfs('00:08.0'), false)

        then:
        host.driver('00:08.0') == null
        host.override('00:08.0') == '(null)\n'
    }

    def "binding only the GT 710 is refused, naming its HDMI audio function in group 22; nothing changes"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()
        def before = host.tree()

        when:
        host.binder().bind(bdfs('01:00.0'), Options.DEFAULT, Owner.manualBind())

        then:
        def e = thrown(HostPrepException)
        e.message == '0000:01:00.0 is in IOMMU group 22 with 0000:01:00.1 (snd_hda_intel), which must leave its host ' +
                'driver too: VFIO hands whole groups to a guest. Bind them together (rig host bind 0000:01:00.0 ' +
                '0000:01:00.1) or add --group'
        host.kernel.writes.isEmpty()
        host.changesSince(before) == []
        !Files.exists(host.journal().file())
    }

    def "naming both functions, or --group, binds the whole group; the root port bridge is left alone"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()

        when:
        def changes = host.binder().bind(bdfs(*named), options, Owner.manualBind())

        then:
        changes*.describe() == ['0000:01:00.0: nvidia -> vfio-pci', '0000:01:00.1: snd_hda_intel -> vfio-pci']
        host.driver('00:01.0') == 'pcieport'
        host.journal().entries()*.address()*.toString() == ['0000:01:00.0', '0000:01:00.1']
        host.journal().entries()*.originalDriver()*.get() == ['nvidia', 'snd_hda_intel']

        where:
        named                   | options
        ['01:00.0', '01:00.1']  | Options.DEFAULT
        ['01:00.0']             | GROUP
        ['01:00.1']             | GROUP
    }

    def "a sibling with no driver needs not be named"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()
        host.sys.unbindDriver('01:00.1')

        when:
        host.binder().bind(bdfs('01:00.0'), Options.DEFAULT, Owner.manualBind())

        then:
        host.driver('01:00.0') == 'vfio-pci'
        host.driver('01:00.1') == null
    }

    def "bad input is refused with every problem at once and the tree byte-for-byte unchanged: #what"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.laptopWithBridgesAndNvme(it) }.loadVfio()
        host.sys.nvmeDisk('02:00.0', 'nvme0n1', '259:0', [nvme0n1p1: '259:1', nvme0n1p2: '259:2'])
        host.sys.nvmeDisk('04:00.0', 'nvme1n1', '259:3', [nvme1n1p1: '259:4'])
        host.sys.netInterface('03:00.0', 'wlp3s0', 'up')
        host.mount('259:2', '/', '/dev/nvme0n1p2').mount('259:1', '/boot/efi', '/dev/nvme0n1p1', 'vfat')
        def before = host.tree()

        when:
        host.binder().bind(bdfs(*named), Options.DEFAULT, Owner.manualBind())

        then:
        def e = thrown(HostPrepException)
        e.message.readLines() == expected
        host.kernel.writes.isEmpty()
        host.changesSince(before) == []
        !Files.exists(host.journal().file())

        where:
        what                    | named                  || expected
        'an unknown device'     | ['09:00.0']            || ['no PCI device 0000:09:00.0 on this host (rig host ls lists them)']
        'a bridge'              | ['00:1c.0']            || ['0000:00:1c.0 is a PCI bridge (pcieport): Rig leaves bridges on their host driver; name the devices behind it']
        'the mounted NVMe'      | ['02:00.0']            || ['0000:02:00.0 (nvme) is in use by the host: nvme0n1p1 is mounted on /boot/efi; nvme0n1p2 is mounted on /. Rig will not take it; add --force to take it anyway']
        'the Wi-Fi that is up'  | ['03:00.0']            || ['0000:03:00.0 (iwlwifi) is in use by the host: network interface wlp3s0 is up. Rig will not take it; add --force to take it anyway']
        'several at once'       | ['09:00.0', '00:1c.0', '02:00.0'] || [
                'no PCI device 0000:09:00.0 on this host (rig host ls lists them)',
                '0000:00:1c.0 is a PCI bridge (pcieport): Rig leaves bridges on their host driver; name the devices behind it',
                '0000:02:00.0 (nvme) is in use by the host: nvme0n1p1 is mounted on /boot/efi; nvme0n1p2 is mounted on /. Rig will not take it; add --force to take it anyway']
    }

    def "a disk is in use through a device-mapper device that holds it, and as swap"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.laptopWithBridgesAndNvme(it) }.loadVfio()
        host.sys.nvmeDisk('04:00.0', 'nvme1n1', '259:3', [nvme1n1p1: '259:4', nvme1n1p2: '259:5'])
        host.sys.dmDevice('dm-0', '253:0', 'home', ['nvme1n1p1'])
        Files.createDirectories(host.paths.dev().resolve('mapper'))
        Files.createSymbolicLink(host.paths.dev().resolve('mapper/home'), Path.of('../dm-0'))
        Files.createFile(host.paths.dev().resolve('dm-0'))
        host.mount('0:45', '/home', '/dev/mapper/home', 'btrfs')     // btrfs: an anonymous device number
        host.paths.proc().resolve('swaps') << '/dev/nvme1n1p2                          partition\t8388604\t\t0\t\t-2\n'

        when:
        host.binder().bind(bdfs('04:00.0'), Options.DEFAULT, Owner.manualBind())

        then:
        def e = thrown(HostPrepException)
        e.message == '0000:04:00.0 (nvme) is in use by the host: nvme1n1p1 is held by dm-0: dm-0 is mounted on /home; ' +
                'nvme1n1p2 is in use as swap. Rig will not take it; add --force to take it anyway'
    }

    def "--force takes an in-use device and says so"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.laptopWithBridgesAndNvme(it) }.loadVfio()
        host.sys.netInterface('03:00.0', 'wlp3s0', 'up')

        when:
        def plan = host.binder().planBind(bdfs('03:00.0'), FORCE)
        host.binder().bind(bdfs('03:00.0'), FORCE, Owner.manualBind())

        then:
        plan.notes() == ['0000:03:00.0 (iwlwifi) is in use by the host: network interface wlp3s0 is up; taking it anyway (--force)']
        host.driver('03:00.0') == 'vfio-pci'
    }

    def "an interface that is down does not count as in use"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.laptopWithBridgesAndNvme(it) }.loadVfio()
        host.sys.netInterface('03:00.0', 'wlp3s0', 'down')

        expect:
        host.binder().planBind(bdfs('03:00.0'), Options.DEFAULT).devices() == bdfs('03:00.0')
    }

    def "vfio-pci not loaded: refused with the modprobe to run"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }
        def before = host.tree()

        when:
        host.binder().bind(bdfs('01:00.0'), Options.DEFAULT, Owner.manualBind())

        then:
        def e = thrown(HostPrepException)
        e.message == "vfio-pci is not loaded (no ${host.paths.sysfs()}/bus/pci/drivers/vfio-pci): run sudo modprobe vfio-pci, or add --modprobe"
        host.changesSince(before) == []
    }

    def "the IOMMU off: every device without a group in one line, with the kernel parameter"() {
        given:
        def host = FakeHost.of(tmp) { Path dir ->
            def sys = new FakeSysfs(dir)
            sys.device('0000:01:00.0') { vendor 0x10ec; device 0x525a; classCode 0xff0000; driver 'rtsx_pci' }
            sys.device('0000:02:00.0') { vendor 0x10ec; device 0x525a; classCode 0xff0000; driver 'rtsx_pci' }
            sys
        }.loadVfio()

        when:
        host.binder().bind(bdfs('01:00.0', '02:00.0'), Options.DEFAULT, Owner.manualBind())

        then:
        def e = thrown(HostPrepException)
        e.message == '0000:01:00.0 0000:02:00.0 have no IOMMU group: the IOMMU is off. Add intel_iommu=on iommu=pt ' +
                '(Intel) or amd_iommu=on iommu=pt (AMD) to the kernel command line (GRUB_CMDLINE_LINUX in ' +
                '/etc/default/grub, then sudo update-grub) and reboot'
    }

    def "when the kernel refuses midway, the devices this call took are given back"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()
        host.kernel.beforeWrite = { String rel, String text ->
            if (rel == 'bus/pci/drivers/snd_hda_intel/unbind') throw new IOException('Device or resource busy')
        }

        when:
        host.binder().bind(bdfs('01:00.0', '01:00.1'), Options.DEFAULT, Owner.manualBind())

        then:
        def e = thrown(HostPrepException)
        e.message == "writing \"0000:01:00.1\" to ${host.paths.sysfs()}/bus/pci/drivers/snd_hda_intel/unbind failed: Device or resource busy"
        host.driver('01:00.0') == 'nvidia'
        host.driver('01:00.1') == 'snd_hda_intel'
        host.override('01:00.0') == '(null)\n'
        host.override('01:00.1') == '(null)\n'
        host.journal().entries().isEmpty()
    }

    def "giving back a device Rig did not take lets the kernel pick its driver"() {
        given: 'the card reader was put on vfio-pci by hand'
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }.loadVfio()
        host.sys.write('01:00.0', 'driver_override', 'vfio-pci\n')
        host.sys.unbindDriver('01:00.0').bindDriver('01:00.0', 'vfio-pci')

        when:
        def changes = host.binder().unbind(bdfs('01:00.0'), false)

        then:
        changes*.describe() == ['0000:01:00.0: vfio-pci -> rtsx_pci (Rig had not bound it; the kernel chose)']
        host.driver('01:00.0') == 'rtsx_pci'
    }

    def "when the kernel probes another driver, the original one is forced through driver_override"() {
        // Not through drivers/<orig>/bind: drivers without an ID table (uio_pci_generic, vfio-pci) refuse that
        // with ENODEV, as the lab showed on a real kernel (scripts/test-lab).
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()
        host.binder().bind(bdfs('01:00.0', '01:00.1'), Options.DEFAULT, Owner.manualBind())
        host.kernel.matchingDrivers['0000:01:00.0'] = ['nouveau', 'nvidia']   // nouveau was installed meanwhile
        host.sys.driverDir('nouveau')
        host.sys.driverDir('nvidia')
        host.kernel.writes.clear()

        when:
        host.binder().unbind(bdfs('01:00.0'), false)

        then:
        host.kernel.writes == [
                'bus/pci/devices/0000:01:00.0/driver_override <- \\n',
                'bus/pci/drivers/vfio-pci/unbind <- 0000:01:00.0',
                'bus/pci/drivers_probe <- 0000:01:00.0',
                'bus/pci/drivers/nouveau/unbind <- 0000:01:00.0',
                'bus/pci/devices/0000:01:00.0/driver_override <- nvidia',
                'bus/pci/drivers_probe <- 0000:01:00.0',
                'bus/pci/devices/0000:01:00.0/driver_override <- \\n']
        host.driver('01:00.0') == 'nvidia'
        host.journal().entry(PciAddress.parse('01:00.0')).isEmpty()
    }

    def "unbind --group gives back the group's other endpoints on vfio-pci too"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()
        host.binder().bind(bdfs('01:00.0'), GROUP, Owner.manualBind())

        when:
        def changes = host.binder().unbind(bdfs('01:00.1'), true)

        then:
        changes*.describe() == ['0000:01:00.0: vfio-pci -> nvidia', '0000:01:00.1: vfio-pci -> snd_hda_intel']
        !Files.exists(host.paths.dev().resolve('vfio/22'))
    }
}
