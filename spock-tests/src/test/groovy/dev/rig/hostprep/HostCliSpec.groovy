package dev.rig.hostprep

import dev.rig.engine.host.HostSnapshot
import dev.rig.testing.FakeHost
import dev.rig.testing.FakeSysfs
import dev.rig.testing.SeedHosts
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Path

import static dev.rig.testing.FakeSysfs.KiB

/** The rig host commands as picocli runs them (in this process, over fake hosts): output, errors, exit status. */
class HostCliSpec extends Specification {

    static final String PCI_IDS = Path.of(HostCliSpec.getResource('/dev/rig/hostprep/pci.ids').toURI()).toString()

    @TempDir
    Path tmp

    def cleanup() {
        FakeSysfs.deleteTree(tmp)
    }

    def "ls shows the GT 710 host as lspci -Dnnv would, with drivers, group, BARs and readiness"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }

        when:
        def r = host.rig('ls', '--pci-ids', PCI_IDS)

        then:
        r.exitCode == 0
        r.err == ''
        r.out == '''\
0000:00:01.0 PCI bridge [0604]: Intel Corporation Xeon E3-1200 v3/4th Gen Core Processor PCI Express x16 Controller [8086:0c01] (rev f1)
\tSubsystem: Intel Corporation Device [8086:0c01]
\tDriver: pcieport
\tIOMMU group 2, alone
\tPassthrough: not ready: a PCI bridge: Rig passes through the devices behind it, not the bridge

0000:01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GK208B [GeForce GT 710] [10de:128b] (rev a1)
\tSubsystem: ASUSTeK Computer Inc. Device [1043:8576]
\tDriver: nvidia
\tIOMMU group 22, also: 0000:01:00.1 (snd_hda_intel)
\tBAR 0: Memory at f6000000 (32-bit, non-prefetchable) [size=16M]
\tBAR 1: Memory at e0000000 (64-bit, prefetchable) [size=128M]
\tBAR 3: Memory at e8000000 (64-bit, prefetchable) [size=32M]
\tBAR 5: I/O ports at e000 [size=128]
\tExpansion ROM at f7000000 [size=512K]
\tPassthrough: not ready: bound to nvidia; group 22 also holds 0000:01:00.1 bound to snd_hda_intel

0000:01:00.1 Audio device [0403]: NVIDIA Corporation GK208 HDMI/DP Audio Controller [10de:0e0f] (rev a1)
\tSubsystem: ASUSTeK Computer Inc. Device [1043:8576]
\tDriver: snd_hda_intel
\tIOMMU group 22, also: 0000:01:00.0 (nvidia)
\tBAR 0: Memory at f7080000 (32-bit, non-prefetchable) [size=16K]
\tPassthrough: not ready: bound to snd_hda_intel; group 22 also holds 0000:01:00.0 bound to nvidia
'''
    }

    def "without names (-n) the numbers stand in; the seed's 26b9 is unknown to pci.ids and shows as Device"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gpu26b9(it, 1) }

        expect:
        host.rig('ls', '-n', '01:00.0').out.readLines().take(2) == [
                '0000:01:00.0 Class [0302]: Device [10de:26b9] (rev a1)',
                '\tSubsystem: Device [10de:1851]']
        with(host.rig('ls', '--pci-ids', PCI_IDS, '01:00.0').out.readLines()) {
            it[0] == '0000:01:00.0 3D controller [0302]: NVIDIA Corporation Device [10de:26b9] (rev a1)'
            it[3..6] == ['\tIOMMU group 30, alone',
                         '\tBAR 0: Memory at f9000000 (32-bit, non-prefetchable) [size=16M]',
                         '\tBAR 1: Memory at 46000000000 (64-bit, prefetchable) [size=64G]',
                         '\tBAR 3: Memory at 48040000000 (64-bit, prefetchable) [size=32M]']
        }
    }

    def "ls shows SR-IOV on the Hi1822 PF and its VFs, and host use on the laptop's NVMe"() {
        given:
        def nic = FakeHost.of(tmp.resolve('nic')) { SeedHosts.hi1822(it) }
        def laptop = FakeHost.of(tmp.resolve('laptop')) { SeedHosts.laptopWithBridgesAndNvme(it) }
        laptop.sys.nvmeDisk('02:00.0', 'nvme0n1', '259:0', [nvme0n1p2: '259:2'])
        laptop.mount('259:2', '/', '/dev/nvme0n1p2')

        expect:
        nic.rig('ls', '-n', '03:00.0').out.contains('\tSR-IOV: 4 of 16 VFs enabled: 0000:03:00.1 0000:03:00.2 0000:03:00.3 0000:03:00.4\n')
        nic.rig('ls', '-n', '03:00.2').out.contains('\tSR-IOV: virtual function of 0000:03:00.0\n')
        laptop.rig('ls', '-n', '02:00.0').out.contains('\tIn use by the host: nvme0n1p2 is mounted on /\n')
    }

    def "headlines match the seeds' lspci lines once lspci -nn's [ids] and the domain are taken out: #seed #bdf"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts."$seed"(it) as FakeSysfs }
        def normalize = { String line -> line.replaceFirst(/^0000:/, '').replaceAll(/ \[\p{XDigit}{4}(:\p{XDigit}{4})?\]/, '') }

        expect:
        normalize(host.rig('ls', '--pci-ids', PCI_IDS, bdf).out.readLines()[0]) == normalize(seedLine)

        where: 'the lines as the seed documents show them'
        seed                        | bdf       || seedLine
        'rts525aCardReader'         | '01:00.0' || '01:00.0 Unassigned class [ff00]: Realtek Semiconductor Co., Ltd. RTS525A PCI Express Card Reader (rev 01)'
        'gt710'                     | '01:00.0' || '01:00.0 VGA compatible controller: NVIDIA Corporation GK208B [GeForce GT 710] (rev a1)'
        'gt710'                     | '01:00.1' || '01:00.1 Audio device: NVIDIA Corporation GK208 HDMI/DP Audio Controller (rev a1)'
        'hi1822'                    | '03:00.0' || '03:00.0 Ethernet controller: Huawei Technologies Co., Ltd. Hi1822 Family (4*25GE) (rev 45)'
        'hi1822'                    | '03:00.4' || '03:00.4 Ethernet controller: Huawei Technologies Co., Ltd. Hi1822 Family Virtual Function (rev 45)'
        'laptopWithBridgesAndNvme'  | '01:00.0' || '01:00.0 3D controller: NVIDIA Corporation GP108M [GeForce MX150] (rev ff)'
        'laptopWithBridgesAndNvme'  | '00:1c.0' || '00:1c.0 PCI bridge: Intel Corporation Sunrise Point-LP PCI Express Root Port #1 (rev f1)'
    }

    def "ls --json has the same facts for scripts"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }

        when:
        def json = new JsonSlurper().parseText(host.rig('ls', '--json', '--pci-ids', PCI_IDS, '01:00.0').out)
        def gpu = json.devices[0]

        then:
        json.devices.size() == 1
        gpu.address == '0000:01:00.0'
        gpu.headline == '0000:01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GK208B [GeForce GT 710] [10de:128b] (rev a1)'
        gpu.class == '0x030000' && gpu.className == 'VGA compatible controller'
        gpu.vendor == '0x10de' && gpu.vendorName == 'NVIDIA Corporation'
        gpu.device == '0x128b' && gpu.deviceName == 'GK208B [GeForce GT 710]'
        gpu.driver == 'nvidia'
        gpu.iommuGroup == 22
        gpu.groupMembers == [[address: '0000:01:00.0', driver: 'nvidia', bridge: false],
                             [address: '0000:01:00.1', driver: 'snd_hda_intel', bridge: false]]
        gpu.bars[1] == [index: 1, kind: 'mem64', bits: 64, prefetchable: true, start: '0xe0000000', size: '0x8000000']
        gpu.bars[3] == [index: 5, kind: 'io', bits: null, prefetchable: false, start: '0xe000', size: '0x80']
        gpu.rom == [start: '0xf7000000', size: '0x80000']
        gpu.hostUse == []
        gpu.passthrough == [ready: false,
                            summary: 'not ready: bound to nvidia; group 22 also holds 0000:01:00.1 bound to snd_hda_intel',
                            reasons: ['bound to nvidia', 'group 22 also holds 0000:01:00.1 bound to snd_hda_intel']]
    }

    def "bind, ls, unbind: the GT 710 group goes to vfio-pci and back"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()

        when:
        def bind = host.rig('bind', '01:00.0', '--group')

        then:
        bind.exitCode == 0
        bind.err == ''
        bind.out == '0000:01:00.0: nvidia -> vfio-pci\n0000:01:00.1: snd_hda_intel -> vfio-pci\n'
        host.rig('ls', '-n', '01:00.1').out.contains('\tPassthrough: ready: bound to vfio-pci, group 22 complete\n')

        when:
        def again = host.rig('bind', '01:00.0', '01:00.1')
        def unbind = host.rig('unbind', '0000:01:00.0', '0000:01:00.1')

        then:
        again.out == '0000:01:00.0: already on vfio-pci\n0000:01:00.1: already on vfio-pci\n'
        unbind.exitCode == 0
        unbind.out == '0000:01:00.0: vfio-pci -> nvidia\n0000:01:00.1: vfio-pci -> snd_hda_intel\n'
    }

    def "refusals are rig: lines on stderr, exit 1, nothing on stdout and nothing changed: #what"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()
        def before = host.tree()

        when:
        def r = host.rig(*args)

        then:
        r.exitCode == 1
        r.out == ''
        r.err.readLines() == expected
        host.changesSince(before) == []

        where:
        what                | args                              || expected
        'a lone group member' | ['bind', '01:00.0']             || ['rig: 0000:01:00.0 is in IOMMU group 22 with 0000:01:00.1 (snd_hda_intel), which must leave its host driver too: VFIO hands whole groups to a guest. Bind them together (rig host bind 0000:01:00.0 0000:01:00.1) or add --group']
        'a bridge'          | ['bind', '00:01.0']               || ['rig: 0000:00:01.0 is a PCI bridge (pcieport): Rig leaves bridges on their host driver; name the devices behind it']
        'an unknown device' | ['bind', '07:00.0']               || ['rig: no PCI device 0000:07:00.0 on this host (rig host ls lists them)']
        'a malformed BDF'   | ['bind', '1:2:3']                 || ['rig: Invalid PCI address "1:2:3": expected [segment:]bus:device.function in hex, e.g. "0000:01:00.0", "01:00.0" or "/sys/bus/pci/devices/0000:01:00.0"']
        'unbinding a bridge' | ['unbind', '00:01.0']            || ['rig: 0000:00:01.0 is a PCI bridge: Rig never binds bridges, so there is nothing to give back']
        'ls of an unknown'  | ['ls', '07:00.0']                 || ['rig: no PCI device 0000:07:00.0 on this host (rig host ls lists them)']
        'no SR-IOV'         | ['sriov', '01:00.0', '--vfs', '2'] || ['rig: 0000:01:00.0 (10de:128b) has no SR-IOV capability (no sriov_totalvfs)']
        '--modprobe on a fake tree' | ['bind', '--modprobe', '01:00.0', '01:00.1'] || ['rig: --modprobe loads into the running kernel, so it works only on the live /sys']
    }

    def "sriov sets the VF count and lists the VFs; a count above the total is refused"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.hi1822(it) }
        host.kernel.virtualFunctions('0000:03:00.0') { int i ->
            vendor 0x19e5; device 0x375e; revision 0x45; classCode 0x020000; driver 'hinic'; iommuGroup 10 + i
            bar 0, size: 32 * KiB, kind: 'mem64', prefetchable: true
        }

        when:
        def r = host.rig('sriov', '03:00.0', '--vfs', '2')

        then:
        r.exitCode == 0
        r.out == '0000:03:00.0: 4 -> 2 VFs (at most 16)\n' +
                '\t0000:03:00.1 [19e5:375e] driver hinic, IOMMU group 10\n' +
                '\t0000:03:00.2 [19e5:375e] driver hinic, IOMMU group 11\n'

        when:
        def above = host.rig('sriov', '03:00.0', '--vfs', '17')

        then:
        above.exitCode == 1
        above.err == 'rig: 0000:03:00.0 supports at most 16 VFs (sriov_totalvfs); 17 asked\n'
    }

    def "restore after a killed run gives back its devices; with nothing held it says so"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }.loadVfio()

        expect:
        host.rig('restore').out == "nothing to restore: Rig holds no devices (${host.stateDir}/host-journal.json)\n"

        when:
        host.binder().bind([dev.rig.engine.host.PciAddress.parse('01:00.0')], dev.rig.engine.hostprep.DriverBinder.Options.DEFAULT,
                RestoreSpec.deadRun())
        def r = host.rig('restore')

        then:
        r.exitCode == 0
        r.out == '0000:01:00.0: vfio-pci -> rtsx_pci\n'
        host.driver('01:00.0') == 'rtsx_pci'
    }

    def "check prints each finding with its fix and exits 1 when one fails"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()
        Path script = tmp.resolve('gpu.groovy')
        script.text = "vm {\n  memory '4G'\n}\n"

        when:
        def r = host.rig('check', script, '--device', '01:00.0')

        then:
        r.exitCode == 1
        r.err == ''
        r.out.readLines().findAll { !it.startsWith('      fix:') }.collect { it.split(/ {2,}/)[0..1] } == [
                ['ok', 'iommu'], ['ok', 'vfio-pci'], ['ok', '/dev/vfio/vfio'], ['fail', 'memlock'], ['warn', 'hugepages'],
                ['fail', 'device 0000:01:00.0'], ['fail', 'group 22']]
        r.out.contains('      fix: sudo rig host bind 0000:01:00.0 0000:01:00.1 (or mark the device managed in the script)\n')
        r.out.contains('VFIO pins all 4 GiB of guest RAM')

        when:
        host.rig('bind', '01:00.0', '--group')
        host.limits(-1, -1)
        def ok = host.rig('check', '--memory', '1G', '--device', '01:00.0', '--json')
        def json = new JsonSlurper().parseText(ok.out)

        then:
        ok.exitCode == 0
        json.passed == true
        json.checks*.status == ['ok', 'ok', 'ok', 'ok', 'warn', 'ok', 'ok']
        json.checks[5] == [name: 'device 0000:01:00.0', status: 'ok', detail: 'ready: bound to vfio-pci, group 22 complete', fix: '']
    }

    def "snapshot writes the HostSnapshot JSON of the tree"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.hi1822(it) }

        expect:
        host.rig('snapshot').out == HostSnapshot.toJson(host.sys.inventory())
    }
}
