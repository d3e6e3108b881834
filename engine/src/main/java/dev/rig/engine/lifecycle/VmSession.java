package dev.rig.engine.lifecycle;

import dev.rig.engine.console.SerialConsole;
import dev.rig.engine.model.HookSpec;
import dev.rig.engine.model.LifecycleStep;
import dev.rig.engine.model.VmHandle;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.spi.Hypervisor;
import dev.rig.engine.spi.Machine;
import dev.rig.engine.spi.RunOutcome;
import dev.rig.engine.spi.RunStats;
import dev.rig.engine.spi.VmPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static dev.rig.engine.model.LifecycleStep.BOOTED;
import static dev.rig.engine.model.LifecycleStep.FAILED;
import static dev.rig.engine.model.LifecycleStep.HOST_PREPARED;
import static dev.rig.engine.model.LifecycleStep.REALIZED;
import static dev.rig.engine.model.LifecycleStep.RUNNING;
import static dev.rig.engine.model.LifecycleStep.STOPPED;
import static dev.rig.engine.model.LifecycleStep.TORN_DOWN;
import static dev.rig.engine.model.LifecycleStep.VALIDATED;

/**
 * Drives one planned VM through its lifecycle as an explicit state machine, running the script's hooks at each
 * step: {@code before} a step's work, {@code on} reaching it, {@code after} leaving it. Any exception (a hook's,
 * the backend's) moves the VM to FAILED, runs the failure hooks and tears down. Teardown runs exactly once.
 */
public final class VmSession implements VmHandle {
    private static final Logger log = LoggerFactory.getLogger(VmSession.class);

    private final Hypervisor hypervisor;
    private final VmPlan plan;
    private final HostPreparation hostPreparation;
    private volatile HostPreparation.Prepared prepared;
    private final List<Consumer<LifecycleStep>> listeners = new CopyOnWriteArrayList<>();
    private volatile LifecycleStep state = LifecycleStep.DEFINED;
    private volatile Throwable failure;
    private volatile boolean stopRequested;
    private volatile Machine machine;
    private volatile SerialConsole console;
    private boolean started, tornDown;

    public VmSession(Hypervisor hypervisor, VmPlan plan) { this(hypervisor, plan, HostPreparation.NONE); }

    public VmSession(Hypervisor hypervisor, VmPlan plan, HostPreparation hostPreparation) {
        this.hypervisor = hypervisor;
        this.plan = plan;
        this.hostPreparation = hostPreparation;
    }

    @Override
    public String name() { return plan.spec().name(); }

    @Override
    public VmSpec spec() { return plan.spec(); }

    public VmPlan plan() { return plan; }

    @Override
    public LifecycleStep state() { return state; }

    @Override
    public Optional<Throwable> failure() { return Optional.ofNullable(failure); }

    /** Called with each step the VM reaches (on the session's thread). */
    public void addListener(Consumer<LifecycleStep> listener) { listeners.add(listener); }

    @Override
    public void stop() {
        stopRequested = true;
        Machine m = machine;
        if (m != null) m.requestStop();
    }

    /** Runs the VM through every step to its end; returns how it ended. */
    public RunOutcome run() {
        RunOutcome outcome = null;
        try {
            enter(VALIDATED, () -> { });  // the plan exists only for a VM that passed validation
            leave(VALIDATED);
            enter(HOST_PREPARED, () -> prepared = hostPreparation.prepare(plan));
            leave(HOST_PREPARED);
            enter(REALIZED, () -> {
                machine = hypervisor.create(plan);
                console = new SerialConsole(name(), machine.serial());
                machine.serial().addEndListener(console::ended);
            });
            leave(REALIZED);
            if (stopRequested) machine.requestStop();
            enter(BOOTED, () -> {
                machine.start();
                started = true;
            });
            leave(BOOTED);
            enter(RUNNING, () -> { });
            outcome = machine.awaitOutcome();
            leave(RUNNING);
            enter(STOPPED, () -> { });
            leave(STOPPED);
        } catch (Throwable t) {
            outcome = fail(t);
        } finally {
            tearDown();
        }
        if (failure != null && !(outcome instanceof RunOutcome.Failed))
            outcome = new RunOutcome.Failed(message(failure), outcome == null ? RunStats.NONE : outcome.stats());
        return outcome;
    }

    private RunOutcome fail(Throwable t) {
        failure = t;
        log.debug("{} failed in {}", name(), state, t);
        RunStats stats = RunStats.NONE;
        Machine m = machine;
        if (m != null && started) {
            m.requestStop();
            stats = m.awaitOutcome().stats();
        }
        SerialConsole c = console;
        if (c != null) c.ended("it failed: " + message(t));
        setState(FAILED);
        for (HookSpec h : hooks(FAILED, HookSpec.When.ON)) {
            try {
                h.hook().run(this);
            } catch (Throwable e) {
                t.addSuppressed(new HookFailedException(h, e));
            }
        }
        return new RunOutcome.Failed(message(t), stats);
    }

    /** Releases everything the VM holds, once; failures here are logged, never stop the rest of teardown. */
    private void tearDown() {
        if (tornDown) return;
        tornDown = true;
        runHooksQuietly(TORN_DOWN, HookSpec.When.BEFORE);
        Machine m = machine;
        if (m != null) {
            try {
                m.close();
            } catch (RuntimeException e) {
                log.warn("teardown of {}: {}", name(), e.getMessage());
                if (failure == null) failure = e;
            }
        }
        HostPreparation.Prepared p = prepared;
        if (p != null) {
            try {
                p.close();  // after the machine: the kernel keeps a device on vfio-pci while its fds are open
            } catch (RuntimeException e) {
                log.warn("teardown of {}: giving devices back: {}", name(), e.getMessage());
                if (failure == null) failure = e;
            }
        }
        if (state != FAILED) setState(TORN_DOWN);
        runHooksQuietly(TORN_DOWN, HookSpec.When.ON);
    }

    private void enter(LifecycleStep step, Work work) throws Exception {
        runHooks(step, HookSpec.When.BEFORE);
        work.run();
        setState(step);
        runHooks(step, HookSpec.When.ON);
    }

    private void leave(LifecycleStep step) throws Exception { runHooks(step, HookSpec.When.AFTER); }

    private void setState(LifecycleStep step) {
        synchronized (this) {
            state = step;
            notifyAll();
        }
        for (Consumer<LifecycleStep> l : listeners) l.accept(step);
    }

    @Override
    public SerialConsole serial() {
        SerialConsole c = console;
        if (c == null) throw new IllegalStateException(name() + " has no serial console before it is realized");
        return c;
    }

    @Override
    public synchronized boolean awaitStep(LifecycleStep step, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reached(step)) {
            if (state == FAILED || state == TORN_DOWN) return false;
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    private boolean reached(LifecycleStep step) {
        return step == FAILED ? state == FAILED : state != FAILED && state.ordinal() >= step.ordinal();
    }

    private void runHooks(LifecycleStep step, HookSpec.When when) {
        for (HookSpec h : hooks(step, when)) {
            try {
                h.hook().run(this);
            } catch (Throwable e) {
                throw new HookFailedException(h, e);
            }
        }
    }

    private void runHooksQuietly(LifecycleStep step, HookSpec.When when) {
        for (HookSpec h : hooks(step, when)) {
            try {
                h.hook().run(this);
            } catch (Throwable e) {
                HookFailedException f = new HookFailedException(h, e);
                log.warn("{}", f.getMessage());
                if (failure == null) failure = f;
            }
        }
    }

    private List<HookSpec> hooks(LifecycleStep step, HookSpec.When when) {
        return plan.spec().hooks().stream().filter(h -> h.step() == step && h.when() == when).toList();
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }
}
