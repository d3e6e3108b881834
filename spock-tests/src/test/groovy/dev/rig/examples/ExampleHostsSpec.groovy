package dev.rig.examples

import dev.rig.engine.host.HostSnapshot
import dev.rig.engine.host.SysfsHostInventory
import dev.rig.testing.FakeSysfs
import dev.rig.testing.RigProcess
import dev.rig.testing.SeedHosts
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Path

/**
 * The host snapshots that examples/ ships are exactly what Rig's sysfs reader makes of the seed hosts, so
 * `rig plan --host examples/hosts/X.json` plans against the seeds' facts. Run with -Drig.regenerate=true to
 * rewrite them after changing SeedHosts.
 */
class ExampleHostsSpec extends Specification {
    @TempDir
    Path tmp

    def cleanup() { FakeSysfs.deleteTree(tmp) }

    def "the shipped host snapshot #name is what Rig reads from that seed host"() {
        given:
        FakeSysfs sys = build(tmp.resolve('sys'))
        String expected = HostSnapshot.toJson(new SysfsHostInventory(sys.root))
        Path file = RigProcess.HOME.resolve("examples/hosts/${name}.json")
        if (Boolean.getBoolean('rig.regenerate')) file.text = expected

        expect:
        file.text == expected

        where:
        name               | build
        'card-reader'      | { Path d -> SeedHosts.rts525aCardReader(d, 2) }
        'gt710'            | { Path d -> SeedHosts.gt710(d) }
        'gpu-26b9'         | { Path d -> SeedHosts.gpu26b9(d, 4) }
        'hi1822'           | { Path d -> SeedHosts.hi1822(d) }
    }
}
