package dev.rig.hostprep

import dev.rig.engine.host.PciAddress
import dev.rig.engine.hostprep.DriverBinder
import dev.rig.engine.hostprep.HostCheck
import dev.rig.engine.hostprep.HostChecks
import dev.rig.engine.hostprep.Owner
import dev.rig.testing.FakeHost
import dev.rig.testing.FakeSysfs
import dev.rig.testing.SeedHosts
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

import static dev.rig.engine.hostprep.HostCheck.Status.FAIL
import static dev.rig.engine.hostprep.HostCheck.Status.OK
import static dev.rig.engine.hostprep.HostCheck.Status.WARN
import static dev.rig.testing.FakeSysfs.GiB
import static dev.rig.testing.FakeSysfs.MiB

/** rig host check's findings and fixes, on fake hosts: IOMMU, vfio-pci, /dev/vfio, memlock, hugepages, devices. */
class HostChecksSpec extends Specification {

    @TempDir
    Path tmp

    def cleanup() {
        FakeSysfs.deleteTree(tmp)
    }

    static List<PciAddress> bdfs(String... text) { text.collect { PciAddress.parse(it) } }

    static HostCheck named(List<HostCheck> checks, String name) { checks.find { it.name() == name } }

    HostChecks checks(FakeHost host, Closure<Boolean> canOpen = { true }) {
        new HostChecks(host.paths, 'alice', { Path p -> canOpen(p) } as java.util.function.Predicate<Path>)
    }

    def "a ready host with a bound GT 710: every check passes"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio().limits(-1, -1)
        host.binder().bind(bdfs('01:00.0', '01:00.1'), DriverBinder.Options.DEFAULT, Owner.manualBind())

        when:
        def result = checks(host).run(4 * GiB, bdfs('01:00.0', '01:00.1'))

        then:
        result*.name() == ['iommu', 'vfio-pci', '/dev/vfio/vfio', 'memlock', 'hugepages', 'device 0000:01:00.0',
                           'device 0000:01:00.1', 'group 22']
        result.findAll { it.status() != OK }*.name() == ['hugepages']     // none reserved: only a warning
        HostChecks.passed(result)
        named(result, 'iommu').detail() == 'on: 2 IOMMU groups'
        named(result, 'memlock').detail() == 'unlimited'
        named(result, 'device 0000:01:00.0').detail() == 'ready: bound to vfio-pci, group 22 complete'
        named(result, 'group 22').detail() == "alice can open ${host.paths.dev()}/vfio/22"
    }

    def "IOMMU off on an Intel machine: the intel_iommu=on fix; with it on the command line already: the firmware"() {
        given:
        def host = FakeHost.of(tmp) { Path dir ->
            new FakeSysfs(dir).device('0000:01:00.0') { vendor 0x10ec; device 0x525a; driver 'rtsx_pci' }
        }.loadVfio()

        when:
        def iommu = named(checks(host).run(0, []), 'iommu')

        then:
        iommu.status() == FAIL
        iommu.detail() == "off: ${host.paths.sysfs()}/kernel/iommu_groups has no groups"
        iommu.fix() == 'Add intel_iommu=on iommu=pt to the kernel command line (GRUB_CMDLINE_LINUX in ' +
                '/etc/default/grub, then sudo update-grub) and reboot; VT-d must be on in the firmware setup'

        when:
        host.paths.proc().resolve('cmdline').text = 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on iommu=pt\n'
        iommu = named(checks(host).run(0, []), 'iommu')

        then:
        iommu.detail().endsWith('although the kernel command line has intel_iommu=on')
        iommu.fix() == 'Turn on VT-d (Intel) or AMD-Vi/IOMMU (AMD) in the firmware setup'

        when:
        host.paths.proc().resolve('cmdline').text = 'quiet\n'
        host.paths.proc().resolve('cpuinfo').text = 'vendor_id\t: AuthenticAMD\n'

        then:
        named(checks(host).run(0, []), 'iommu').fix().startsWith('Add amd_iommu=on iommu=pt to the kernel command line')
    }

    def "vfio-pci not loaded: modprobe when the module is installed, the modules package when it is not"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }
        Files.createDirectories(host.paths.proc().resolve('sys/kernel'))
        host.paths.proc().resolve('sys/kernel/osrelease').text = '6.1.0-13-amd64\n'

        when:
        def result = checks(host).run(0, [])

        then:
        named(result, 'vfio-pci').status() == FAIL
        named(result, 'vfio-pci').detail() == "not loaded, and no vfio-pci module found for kernel 6.1.0-13-amd64 in ${host.paths.modules()}/6.1.0-13-amd64"
        named(result, '/dev/vfio/vfio').detail() == 'missing: the vfio module is not loaded'
        !HostChecks.passed(result)

        when:
        Files.createDirectories(host.paths.modules().resolve('6.1.0-13-amd64'))
        host.paths.modules().resolve('6.1.0-13-amd64/modules.dep').text =
                'kernel/drivers/vfio/pci/vfio-pci.ko: kernel/drivers/vfio/pci/vfio-pci-core.ko kernel/drivers/vfio/vfio.ko\n'
        def vfio = named(checks(host).run(0, []), 'vfio-pci')

        then:
        vfio.detail() == 'not loaded (the module is installed for 6.1.0-13-amd64)'
        vfio.fix() == 'sudo modprobe vfio-pci; to load it at every boot: echo vfio-pci | sudo tee /etc/modules-load.d/vfio-pci.conf'
    }

    def "memlock below the guest's RAM fails with the ulimit and limits.d fix; at or above it passes"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }.loadVfio().limits(soft, hard)

        when:
        def memlock = named(checks(host).run(4 * GiB, bdfs('01:00.0')), 'memlock')

        then:
        memlock.status() == status
        memlock.detail() == detail
        memlock.fix() == fix

        where:
        soft      | hard      || status | detail | fix
        8 * MiB   | 8 * MiB   || FAIL   | 'RLIMIT_MEMLOCK is 8 MiB (hard limit 8 MiB): VFIO pins all 4 GiB of guest RAM' | 'The hard limit is lower too, so as root: add "alice soft memlock 4194304" and "alice hard memlock 4194304" to /etc/security/limits.d/rig.conf and log in again (a systemd service: LimitMEMLOCK=4194304K)'
        8 * MiB   | -1        || FAIL   | 'RLIMIT_MEMLOCK is 8 MiB (hard limit unlimited): VFIO pins all 4 GiB of guest RAM' | 'ulimit -l 4194304 in the shell that runs rig; for good, add "alice soft memlock 4194304" and "alice hard memlock 4194304" to /etc/security/limits.d/rig.conf and log in again (a systemd service: LimitMEMLOCK=4194304K)'
        4 * GiB   | 4 * GiB   || OK     | 'RLIMIT_MEMLOCK is 4 GiB (hard limit 4 GiB): enough to pin the guest\'s 4 GiB' | ''
        -1        | -1        || OK     | 'unlimited' | ''
    }

    def "memlock: no guest given is a warning; no device passed is fine; CAP_IPC_LOCK lifts the limit"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }.loadVfio()

        expect:
        with(named(checks(host).run(0, []), 'memlock')) {
            status() == WARN
            detail() == 'RLIMIT_MEMLOCK is 8 MiB (hard limit 8 MiB): a VFIO guest needs at least its RAM size'
            fix() == 'ulimit -l <guest RAM in KiB> in the shell that runs rig; for good, add "alice soft memlock ' +
                    '<guest RAM in KiB>" and "alice hard memlock <guest RAM in KiB>" to /etc/security/limits.d/rig.conf ' +
                    'and log in again (a systemd service: LimitMEMLOCK=<guest RAM in KiB>K)'
        }
        named(checks(host).run(4 * GiB, []), 'memlock').status() == OK

        when:
        host.paths.proc().resolve('self/status').text = 'Uid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff\n'

        then:
        named(checks(host).run(64 * GiB, bdfs('01:00.0')), 'memlock').detail() ==
                'CAP_IPC_LOCK (root): VFIO may pin any amount of memory'
    }

    def "hugepages: the pools and THP are reported; too few free for the guest is a warning with the sysfs write"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }.loadVfio()
        def mm = Files.createDirectories(host.paths.sysfs().resolve('kernel/mm/hugepages/hugepages-2048kB'))
        mm.resolve('nr_hugepages').text = '512\n'
        mm.resolve('free_hugepages').text = '500\n'
        Files.createDirectories(host.paths.sysfs().resolve('kernel/mm/transparent_hugepage'))
        host.paths.sysfs().resolve('kernel/mm/transparent_hugepage/enabled').text = 'always [madvise] never\n'

        when:
        def small = named(checks(host).run(512 * MiB, []), 'hugepages')
        def big = named(checks(host).run(2 * GiB, []), 'hugepages')

        then:
        small.status() == OK
        small.detail() == '2 MiB pages: 500 free of 512; transparent hugepages: always [madvise] never'
        big.status() == WARN
        big.detail().endsWith('not enough free to back 2 GiB of guest RAM (optional: they speed up guest memory)')
        big.fix() == 'echo 1024 | sudo tee /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages'
    }

    def "devices: not bound, a sibling on its host driver, unknown; the group has no /dev/vfio node yet"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()

        when:
        def result = checks(host).run(0, bdfs('01:00.0', '09:00.0'))

        then:
        with(named(result, 'device 0000:01:00.0')) {
            status() == FAIL
            detail() == 'not ready: bound to nvidia; group 22 also holds 0000:01:00.1 bound to snd_hda_intel'
            fix() == 'sudo rig host bind 0000:01:00.0 0000:01:00.1 (or mark the device managed in the script)'
        }
        with(named(result, 'device 0000:09:00.0')) {
            status() == FAIL
            detail() == 'no such device on this host'
        }
        with(named(result, 'group 22')) {
            status() == FAIL
            detail() == "no ${host.paths.dev()}/vfio/22: none of its devices is on vfio-pci"
        }
    }

    def "a group node this user cannot open: the chown and the udev rule"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }.loadVfio()
        host.binder().bind(bdfs('01:00.0'), DriverBinder.Options.DEFAULT, Owner.manualBind())
        Path node = host.paths.dev().resolve('vfio/11')

        when: 'no devices named: the groups with a device on vfio-pci are checked'
        def group = named(checks(host) { Path p -> p != node }.run(0, []), 'group 11')

        then:
        group.status() == FAIL
        group.detail() == "alice cannot open $node"
        group.fix() == "sudo chown alice $node (until the next bind or reboot); for good, a udev rule: " +
                "echo 'SUBSYSTEM==\"vfio\", OWNER=\"alice\"' | sudo tee /etc/udev/rules.d/99-rig-vfio.rules " +
                "&& sudo udevadm control --reload && sudo udevadm trigger"
    }

    def "a uid without a user name (the JVM says '?'): findings and fixes name the uid, never '?'"() {
        given: 'the fake process runs as uid 1000 with 8 MiB of memlock, and the group node is closed to it'
        def host = FakeHost.of(tmp) { SeedHosts.rts525aCardReader(it) }.loadVfio()
        host.binder().bind(bdfs('01:00.0'), DriverBinder.Options.DEFAULT, Owner.manualBind())
        Path node = host.paths.dev().resolve('vfio/11')
        def unnamed = new HostChecks(host.paths, '?', { Path p -> p != node } as java.util.function.Predicate<Path>)

        when:
        def result = unnamed.run(256 * MiB, bdfs('01:00.0'))

        then:
        named(result, '/dev/vfio/vfio').detail() == 'uid 1000 can open it'
        with(named(result, 'group 11')) {
            status() == FAIL
            detail() == "uid 1000 cannot open $node"
            fix() == "sudo chown 1000 $node (until the next bind or reboot); for good, a udev rule: " +
                    "echo 'SUBSYSTEM==\"vfio\", OWNER=\"1000\"' | sudo tee /etc/udev/rules.d/99-rig-vfio.rules " +
                    "&& sudo udevadm control --reload && sudo udevadm trigger"
        }
        named(result, 'memlock').fix() == 'The hard limit is lower too, so as root: add ":1000 soft memlock 262144" ' +
                'and ":1000 hard memlock 262144" to /etc/security/limits.d/rig.conf and log in again (a systemd ' +
                'service: LimitMEMLOCK=262144K)'
        result.every { !it.detail().contains('?') && !it.fix().contains('?') }
        !HostChecks.passed(result)
    }
}
