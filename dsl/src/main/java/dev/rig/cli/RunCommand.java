package dev.rig.cli;

import dev.rig.dsl.ScriptPlanner;
import dev.rig.engine.Rig;
import dev.rig.engine.lifecycle.VmSession;
import dev.rig.engine.spi.RunOutcome;
import dev.rig.engine.spi.VmPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** rig run SCRIPT: evaluate, validate, realize and run through the lifecycle; the exit status is the guest's. */
@Command(name = "run", description = "Run the VM a script declares. Exits with the guest's exit code.")
final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SCRIPT", description = "A Rig script (Groovy), e.g. examples/hello.groovy.")
    Path script;

    @Option(names = "--stats", description = "Print exit counts and run time on stderr when the VM ends.")
    boolean stats;

    @Override
    public Integer call() {
        Rig rig = Rig.withDefaultBackend();
        List<VmPlan> plans = ScriptPlanner.planToRun(script, rig);
        if (plans.size() != 1)
            throw new IllegalArgumentException(script + " declares " + plans.size() + " VMs; rig run runs one for now");
        RunOutcome outcome = runStoppingOnSignal(rig.session(plans.getFirst()));
        if (stats) {
            var s = outcome.stats();
            System.err.printf("rig: %d exits (%d PIO, %d MMIO, %d other) in %.3f s%n", s.exits(), s.pioExits(),
                    s.mmioExits(), s.otherExits(), s.runNanos() / 1e9);
        }
        if (!(outcome instanceof RunOutcome.GuestExit) && !(outcome instanceof RunOutcome.Halted))
            System.err.println("rig: " + outcome.describe());
        return outcome.exitStatus();
    }

    /**
     * Runs the session to its end. Ctrl-C or SIGTERM stops the guest; the JVM's shutdown waits until teardown has
     * released every fd and mapping.
     */
    private static RunOutcome runStoppingOnSignal(VmSession session) {
        CountDownLatch tornDown = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            session.stop();
            try {
                tornDown.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "rig-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return session.run();
        } finally {
            tornDown.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running; it returns now that teardown is done
            }
        }
    }
}
