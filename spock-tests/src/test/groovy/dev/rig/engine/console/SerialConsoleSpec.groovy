package dev.rig.engine.console

import dev.rig.engine.spi.SerialPort
import spock.lang.Specification

import java.time.Duration
import java.util.function.Consumer

/** expect/send against a port the spec drives itself. */
class SerialConsoleSpec extends Specification {
    /** What the "guest" prints is pushed by the spec; what is sent to it is recorded. */
    static class FakePort implements SerialPort {
        final List<Consumer<byte[]>> listeners = []
        final StringBuilder received = new StringBuilder()

        void addOutputListener(Consumer<byte[]> l) { listeners << l }

        void addEndListener(Consumer<String> l) { }

        void receive(byte[] bytes) { received.append(new String(bytes, 'ISO-8859-1')) }

        void print(String s) { listeners.each { it.accept(s.getBytes('ISO-8859-1')) } }
    }

    FakePort port = new FakePort()
    SerialConsole console = new SerialConsole('vm1', port)

    def "expect reads the console forward, one match after the other"() {
        given:
        port.print('boot\nlogin: \nlogin: again\n')

        expect:
        console.expect('login:').start() == 5
        console.expect('login:').start() == 13
        console.expect('(\\w+)$').group(1) == 'again'
    }

    def "expect waits for output that arrives later"() {
        given:
        Thread.start { sleep 200; port.print('Welcome\n') }

        expect:
        console.expect('Welcome', Duration.ofSeconds(10), []).group() == 'Welcome'
    }

    def "a failure pattern seen first fails the expectation, naming both"() {
        given:
        port.print('Kernel panic - not syncing: VFS\nlogin:')

        when:
        console.expect('login:', Duration.ofSeconds(5), ['Kernel panic'])

        then:
        def e = thrown(ExpectException)
        e.message.startsWith("vm1: saw 'Kernel panic' (failure pattern 'Kernel panic') while waiting for 'login:'; the console's last lines:\n  | Kernel panic - not syncing: VFS")
    }

    def "a timeout names the pattern, the time and the last lines"() {
        given:
        port.print('line one\nline two\n')

        when:
        console.expect([timeout: 0.2], 'login:')

        then:
        def e = thrown(ExpectException)
        e.message == "vm1: timed out after 0.2 s waiting for 'login:'; the console's last lines:\n  | line one\n  | line two"
    }

    def "a guest that ends fails a pending expectation at once"() {
        given:
        Thread.start { sleep 200; console.ended('guest exited with code 0') }

        when:
        console.expect('login:', Duration.ofMinutes(5), [])

        then:
        def e = thrown(ExpectException)
        e.message == "vm1: the guest ended (guest exited with code 0) before 'login:' appeared; the console printed nothing"
    }

    def "send types a line, sendRaw exactly what it is given"() {
        when:
        console.send('root')
        console.sendRaw('\u0003')

        then:
        port.received.toString() == 'root\n\u0003'
    }
}
