package dev.rig.engine.lifecycle

import dev.rig.engine.Rig
import dev.rig.engine.model.LifecycleStep
import dev.rig.engine.model.VmBuilder
import dev.rig.engine.spi.RunOutcome
import dev.rig.kvm.backend.KvmHypervisor
import dev.rig.kvm.testing.KvmAvailable
import spock.lang.Requires
import spock.lang.Specification
import spock.lang.Tag

import static dev.rig.engine.model.LifecycleStep.*

/** The lifecycle on this machine's KVM with the built-in guest: hooks in order, failures, teardown exactly once. */
@Tag(KvmAvailable.TAG)
@Requires({ KvmAvailable.usable() })
class LifecycleSpec extends Specification {
    Rig rig = new Rig(new KvmHypervisor())
    List<String> seen = Collections.synchronizedList([])

    private VmBuilder vm(String guest = 'hello') { Rig.vm('life').guest(guest).serial('off') }

    private VmBuilder recordingEveryHook(VmBuilder b) {
        [VALIDATED, HOST_PREPARED, REALIZED, BOOTED, RUNNING, STOPPED, TORN_DOWN].each { LifecycleStep s ->
            b.before(s) { seen << "before ${it.state().word()}->${s.word()}".toString() }
            b.on(s) { seen << "on ${s.word()} (state ${it.state().word()})".toString() }
            b.after(s) { seen << "after ${s.word()}".toString() }
        }
        b
    }

    def "hooks run before, on and after every step, in lifecycle order"() {
        when:
        RunOutcome outcome = rig.run(recordingEveryHook(vm()).build())

        then:
        outcome.exitStatus() == 0
        seen == [
                'before defined->validated', 'on validated (state validated)', 'after validated',
                'before validated->host-prepared', 'on host-prepared (state host-prepared)', 'after host-prepared',
                'before host-prepared->realized', 'on realized (state realized)', 'after realized',
                'before realized->booted', 'on booted (state booted)', 'after booted',
                'before booted->running', 'on running (state running)', 'after running',
                'before running->stopped', 'on stopped (state stopped)', 'after stopped',
                'before stopped->torn-down', 'on torn-down (state torn-down)']
    }

    def "an exception in a hook fails the VM, runs the failure hooks and tears down once"() {
        given:
        def b = vm('pio-loop')
                .on(BOOTED) { throw new IllegalStateException('the rig is not ready') }
                .onFailure { seen << "failure hook: ${it.failure().get().message}".toString() }
                .before(TORN_DOWN) { seen << 'teardown' }
                .on(RUNNING) { seen << 'running (must not happen)' }

        when:
        RunOutcome outcome = rig.run(b.build())

        then: 'the guest loop was stopped rather than run to its end, and the VM says why it failed'
        outcome instanceof RunOutcome.Failed
        outcome.exitStatus() == 1
        outcome.describe() == "hook on('booted') failed: the rig is not ready"
        seen == ["failure hook: hook on('booted') failed: the rig is not ready", 'teardown']
    }

    def "a hook can stop the guest"() {
        given: 'the exit loop would run for seconds; a hook stops it as soon as it runs'
        def b = vm('pio-loop').on(RUNNING) { it.stop() }

        when:
        RunOutcome outcome = rig.run(b.build())

        then:
        outcome instanceof RunOutcome.Stopped
        outcome.exitStatus() == 130
    }

    def "the handle reports each step to listeners"() {
        given:
        def session = rig.session(rig.plan(vm().build()))
        List<LifecycleStep> steps = []
        session.addListener { steps << it }

        when:
        session.run()

        then:
        steps == [VALIDATED, HOST_PREPARED, REALIZED, BOOTED, RUNNING, STOPPED, TORN_DOWN]
        session.state() == TORN_DOWN
        session.failure().isEmpty()
    }

    def "from Java: wait for a step on another thread, then talk to the guest"() {
        given:
        def session = rig.session(rig.plan(vm('echo').build()))
        RunOutcome outcome = null
        def runner = Thread.start { outcome = session.run() }

        when:
        boolean running = session.awaitStep(RUNNING, java.time.Duration.ofSeconds(30))
        session.serial().expect('ready')
        session.serial().sendRaw('hi~')
        runner.join(30_000)

        then:
        running
        session.serial().output() == 'Rig echo guest ready\nhi'
        outcome.exitStatus() == 0
        !session.awaitStep(FAILED, java.time.Duration.ZERO)
    }
}
