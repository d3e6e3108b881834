package dev.rig.cli

import dev.rig.kvm.testing.KvmAvailable
import dev.rig.testing.RigProcess
import spock.lang.Requires
import spock.lang.Specification
import spock.lang.Tag
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

import static dev.rig.testing.RigProcess.rig

/** `rig run` as a user runs it: bin/rig in a separate process, on this machine's /dev/kvm. */
class RigRunSpec extends Specification {
    @TempDir
    Path dir

    @Tag(KvmAvailable.TAG)
    @Requires({ KvmAvailable.usable() })
    def "the hello example prints exactly the greeting and exits 0"() {
        when:
        def r = rig('run', 'examples/hello.groovy')

        then:
        r.out == 'Hello from the Rig guest\n'
        r.err == ''
        r.exitCode == 0
    }

    @Tag(KvmAvailable.TAG)
    @Requires({ KvmAvailable.usable() })
    def "--stats reports the exits the guest caused"() {
        when:
        def r = rig('run', '--stats', 'examples/hello.groovy')

        then:
        r.exitCode == 0
        r.err =~ /rig: 53 exits \(51 PIO, 2 MMIO, 0 other\) in \d+\.\d{3} s/
        // by device: each exit lands on the device that answered it (the UART, the exit port, the MMIO test device)
        r.err.contains('rig: exits by device: com1=50 debug-exit=1 i8042=0 mmio-test=2 post-code=0')
    }

    def "the version and help are printed"() {
        expect:
        with(rig('--version')) {
            exitCode == 0
            out.startsWith('rig 0.1.0')
        }
        with(rig('--help')) {
            exitCode == 0
            out.contains('Usage: rig') && out.contains('run') && out.contains('bench')
        }
    }

    def "bad input gets one clear line, a non-zero status and no stack trace: #what"() {
        given:
        Path script = dir.resolve('vm.groovy')
        if (text != null) script.text = text

        when:
        def r = rig('run', script)

        then:
        r.exitCode == 1
        r.out == ''
        r.err.readLines() == expected.collect { "rig: ${script}${it}".toString() }
        !r.err.contains('\tat ')

        where:
        what                  | text                                  || expected
        'a missing script'    | null                                  || [": no such script"]
        'a malformed size'    | "vm {\n  memory '12Q'\n}\n"           || [":2: memory: '12Q' is not a size: write a number with an optional unit, e.g. '512M', '2G', '64MiB' (K, M, G, T are powers of 1024)"]
        'a too small memory'  | "vm {\n  memory '1M'\n}\n"            || [":2: memory: 1 MiB is too small: this guest needs at least 2 MiB"]
        'a misspelt setting'  | "vm {\n  memroy '1G'\n}\n"            || [":2: unknown setting 'memroy' in vm { } (did you mean 'memory'?); known settings: after, before, cmdline, console, cpus, device, disk, guest, initrd, kernel, memory, name, on, onFailure, pciSegment, platform, serial, serialLog"]
    }

    def "--debug adds the stack trace"() {
        when:
        def r = rig('--debug', 'run', dir.resolve('none.groovy'))

        then:
        r.exitCode == 1
        r.err.contains('\tat dev.rig.')
        r.err.contains('no such script')
    }

    @Tag(KvmAvailable.TAG)
    @Requires({ KvmAvailable.usable() && new File('/usr/bin/setpriv').canExecute() && System.getProperty('user.name') == 'root' })
    def "a user who may not open /dev/kvm is told how to get access"() {
        when: 'run as nobody, who is not in the kvm group'
        def r = RigProcess.run(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups',
                                RigProcess.RIG.toString(), 'run', RigProcess.HOME.resolve('examples/hello.groovy').toString()],
                ['HOME': '/tmp'])

        then:
        r.exitCode == 1
        r.out == ''
        r.err.readLines() == ['rig: cannot open /dev/kvm: EACCES (Permission denied). Add your user to the kvm group '
                                      + '(sudo usermod -aG kvm $USER, then log in again) or grant access: sudo setfacl -m u:$USER:rw /dev/kvm']
    }

    @Tag(KvmAvailable.TAG)
    @Requires({ KvmAvailable.usable() })
    def "the serial console can go to a file next to the script"() {
        given:
        Path script = dir.resolve('tofile.groovy')
        script.text = "vm {\n  serial 'console.log'\n}\n"

        when:
        def r = rig('run', script)

        then:
        r.exitCode == 0
        r.out == ''
        Files.readString(dir.resolve('console.log')) == 'Hello from the Rig guest\n'
    }
}
