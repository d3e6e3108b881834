package dev.rig.cli

import dev.rig.kvm.testing.KvmAvailable
import spock.lang.Requires
import spock.lang.Specification
import spock.lang.Tag
import spock.lang.TempDir

import java.nio.file.Path

import static dev.rig.testing.RigProcess.rig

/** The test-rig API as lab automation uses it: scripts that talk to their guests over the serial console. */
@Tag(KvmAvailable.TAG)
@Requires({ KvmAvailable.usable() })
class TestRigSpec extends Specification {
    @TempDir
    Path dir

    private Path script(String text) {
        Path s = dir.resolve('rig.groovy')
        s.text = text
        s
    }

    def "a hook drives the echo guest: expect, send, expect the echo, then end it"() {
        given:
        Path s = script('''
            vm {
                guest 'echo'
                serialLog 'echo.log'
                on('running') { vm ->
                    vm.serial.expect 'ready'
                    vm.serial.send 'ping'
                    assert vm.serial.expect('p(i)ng').group(1) == 'i'
                    vm.serial.sendRaw '~'
                }
            }''')

        when:
        def r = rig('run', s)

        then:
        r.exitCode == 0
        r.out == 'Rig echo guest ready\nping\n'
        dir.resolve('echo.log').text == 'Rig echo guest ready\nping\n'
    }

    def "an expectation that times out fails the run, and says which one"() {
        given:
        Path s = script('''vm('rig') {
    guest 'echo'
    on('running') { vm -> vm.serial.expect 'login:', timeout: 1 }
}''')

        when:
        def r = rig('run', s)

        then:
        r.exitCode == 1
        r.err.readLines() == ["rig: hook on('running') at ${s}:3 failed: rig: timed out after 1 s waiting for 'login:'; the console's last lines:".toString(),
                              'rig:   | Rig echo guest ready']
    }

    def "an expectation fails at once when the guest ends first"() {
        given:
        Path s = script('''vm {
    on('running') { vm -> vm.serial.expect 'login:', timeout: 60 }
}''')

        when:
        def r = rig('run', s)

        then:
        r.exitCode == 1
        r.err.contains("failed: rig: the guest ended (guest exited with code 0) before 'login:' appeared")
    }

    def "a failure pattern ends the wait with its own message"() {
        given:
        Path s = script('''vm {
    on('running') { vm -> vm.serial.expect 'login:', fail: ['Hello from'] }
}''')

        when:
        def r = rig('run', s)

        then:
        r.exitCode == 1
        r.err.contains("saw 'Hello from' (failure pattern 'Hello from') while waiting for 'login:'")
    }

    def "several VMs in one script run together; the status is the first that failed"() {
        given:
        Path s = script('''
            vm('a') { guest 'hello'; serialLog 'a.log'; serial 'off' }
            vm('b') {
                guest 'echo'; serialLog 'b.log'; serial 'off'
                on('running') { vm -> vm.serial.expect 'ready'; vm.serial.sendRaw '~' }
            }
            vm('c') {
                guest 'echo'; serial 'off'
                on('running') { vm -> throw new IllegalStateException('c is broken') }
            }''')

        when:
        def r = rig('run', s)

        then:
        r.exitCode == 1
        r.err.readLines() == ["rig: c: hook on('running') at ${s}:9 failed: c is broken".toString()]
        dir.resolve('a.log').text == 'Hello from the Rig guest\n'
        dir.resolve('b.log').text == 'Rig echo guest ready\n'
    }
}
