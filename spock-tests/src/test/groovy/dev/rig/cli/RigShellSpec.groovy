package dev.rig.cli

import dev.rig.kvm.testing.KvmAvailable
import spock.lang.Requires
import spock.lang.Specification
import spock.lang.Tag

import static dev.rig.testing.RigProcess.rig

/** The same VM through the Java API from JShell: rig shell runs a session script. */
@Tag(KvmAvailable.TAG)
@Requires({ KvmAvailable.usable() })
class RigShellSpec extends Specification {
    def "the JShell session example defines, plans and runs the hello VM"() {
        when:
        def r = rig('shell', 'examples/hello.jsh')

        then:
        r.exitCode == 0
        r.out.contains("vm 'hello': 1 vCPU, 64 MiB RAM, built-in guest 'hello'")
        r.out.contains('00:00.0  host bridge')
        r.out.contains('Hello from the Rig guest\n')
        r.out.contains('guest exited with code 0, exit status 0')
    }
}
