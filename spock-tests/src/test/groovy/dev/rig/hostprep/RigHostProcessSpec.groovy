package dev.rig.hostprep

import dev.rig.engine.host.HostSnapshot
import dev.rig.testing.FakeHost
import dev.rig.testing.FakeSysfs
import dev.rig.testing.SeedHosts
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Path

import static dev.rig.testing.RigProcess.rig

/**
 * rig host as a user runs it: bin/rig in its own process, over fake trees through the hidden --sysfs/--dev/--proc
 * options. Needs HostCommand in Main's subcommands. Only what needs no kernel behind the writes is run here (reads
 * and refusals); binding is covered in process by HostCliSpec with the fake kernel.
 */
class RigHostProcessSpec extends Specification {

    @TempDir
    Path tmp

    def cleanup() {
        FakeSysfs.deleteTree(tmp)
    }

    static List<String> roots(FakeHost host) {
        ['--sysfs', host.paths.sysfs(), '--dev', host.paths.dev(), '--proc', host.paths.proc(), '--modules',
         host.paths.modules(), '--state-dir', host.stateDir]*.toString()
    }

    def "rig host is listed in rig --help, and rig host --help lists its subcommands"() {
        expect:
        rig('--help').out.contains('  host ')
        with(rig('host', '--help')) {
            exitCode == 0
            ['ls', 'check', 'bind', 'unbind', 'sriov', 'restore', 'snapshot'].every { out.contains("  $it ") }
            !out.contains('--sysfs')
        }
    }

    def "ls -n and snapshot read the fake tree"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }

        when:
        def ls = rig('host', 'ls', '-n', '01:00.0', *roots(host))
        def snapshot = rig('host', 'snapshot', *roots(host))

        then:
        ls.exitCode == 0
        ls.out.readLines()[0] == '0000:01:00.0 Class [0300]: Device [10de:128b] (rev a1)'
        snapshot.exitCode == 0
        snapshot.out == HostSnapshot.toJson(host.sys.inventory())
    }

    def "a refused bind is one rig: line, exit 1, no stack trace, and the tree and journal untouched"() {
        given:
        def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }.loadVfio()
        def before = host.tree()

        when:
        def r = rig('host', 'bind', '01:00.0', *roots(host))

        then:
        r.exitCode == 1
        r.out == ''
        r.err == 'rig: 0000:01:00.0 is in IOMMU group 22 with 0000:01:00.1 (snd_hda_intel), which must leave its host ' +
                'driver too: VFIO hands whole groups to a guest. Bind them together (rig host bind 0000:01:00.0 ' +
                '0000:01:00.1) or add --group\n'
        host.changesSince(before) == []
        !host.journal().file().toFile().exists()
    }

    def "rig host with no subcommand says which there are"() {
        when:
        def r = rig('host')

        then:
        r.exitCode == 2
        r.err.startsWith('rig host needs a subcommand: ls, check, bind, unbind, sriov, restore or snapshot')
    }
}
