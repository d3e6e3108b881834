package dev.rig.cli;

import dev.rig.dsl.ScriptPlanner;
import dev.rig.engine.Rig;
import dev.rig.engine.lifecycle.VmSession;
import dev.rig.engine.spi.RunOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * rig run SCRIPT: evaluate, validate, realize and run every VM of the script through its lifecycle; the exit status
 * is the guest's (with several VMs, the first one in the script that did not end with 0).
 */
@Command(name = "run", description = "Run the VMs a script declares. Exits with the guest's exit code.")
final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SCRIPT", description = "A Rig script (Groovy), e.g. examples/hello.groovy.")
    Path script;

    @Option(names = "--stats", description = "Print exit counts and run time on stderr when the VM ends.")
    boolean stats;

    @Override
    public Integer call() throws InterruptedException {
        Rig rig = Rig.withDefaultBackend();
        List<VmSession> sessions = ScriptPlanner.planToRun(script, rig).stream().map(rig::session).toList();
        List<RunOutcome> outcomes = runStoppingOnSignal(sessions);
        int status = 0;
        for (int i = 0; i < sessions.size(); i++) {
            RunOutcome outcome = outcomes.get(i);
            String who = sessions.size() == 1 ? "" : sessions.get(i).name() + ": ";
            if (stats) {
                var s = outcome.stats();
                System.err.printf("rig: %s%d exits (%d PIO, %d MMIO, %d other) in %.3f s%n", who, s.exits(),
                        s.pioExits(), s.mmioExits(), s.otherExits(), s.runNanos() / 1e9);
                if (!s.exitsByDevice().isEmpty()) {
                    StringBuilder line = new StringBuilder("rig: " + who + "exits by device:");
                    s.exitsByDevice().forEach((id, n) -> line.append(' ').append(id).append('=').append(n));
                    System.err.println(line);
                }
            }
            // The guest's own exit code and a quiet halt speak for themselves; every other ending is said.
            if (!(outcome instanceof RunOutcome.GuestExit) && !(outcome instanceof RunOutcome.Halted)) {
                for (String line : outcome.describe().split("\n")) System.err.println("rig: " + who + line);
            }
            if (status == 0) status = outcome.exitStatus();  // the first VM (in script order) that did not end well
        }
        return status;
    }

    /**
     * Runs every VM on its own lifecycle thread until all have ended. Ctrl-C or SIGTERM stops them all; the JVM's
     * shutdown waits until teardown has released every fd and mapping.
     */
    private static List<RunOutcome> runStoppingOnSignal(List<VmSession> sessions) throws InterruptedException {
        CountDownLatch tornDown = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            sessions.forEach(VmSession::stop);
            try {
                tornDown.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "rig-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (sessions.size() == 1) return List.of(sessions.getFirst().run());
            RunOutcome[] outcomes = new RunOutcome[sessions.size()];
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < sessions.size(); i++) {
                int n = i;
                threads.add(Thread.ofPlatform().name(sessions.get(i).name()).start(() -> outcomes[n] = sessions.get(n).run()));
            }
            for (Thread t : threads) t.join();
            return List.of(outcomes);
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
