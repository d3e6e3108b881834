package dev.rig.cli.host;

import dev.rig.engine.hostprep.DriverBinder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** rig host restore: gives back what crashed or killed runs left on vfio-pci, from the journal. */
@Command(name = "restore", mixinStandardHelpOptions = true, description = {"Give back every device that a Rig run took and did not give back (after a "
        + "crash or kill -9), from the journal written before each bind.",
        "Devices bound with rig host bind stay on vfio-pci unless --all; devices of runs still going are kept."})
final class HostRestoreCommand extends HostSubcommand implements Callable<Integer> {
    @Option(names = "--all", description = "Also give back devices bound with rig host bind.")
    boolean all;

    @Override
    public Integer call() {
        DriverBinder binder = binder();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DriverBinder.RestoreResult r = binder.restore(all);
        if (r.changes().isEmpty() && r.skipped().isEmpty() && r.failed().isEmpty()) {
            out.println("nothing to restore: Rig holds no devices (" + binder.journal().file() + ")");
        }
        r.changes().forEach(c -> out.println(c.describe()));
        r.skipped().forEach(s -> out.println("kept " + s));
        r.failed().forEach(f -> f.lines().forEach(line -> err.println("rig: " + line)));
        out.flush();
        err.flush();
        return r.failed().isEmpty() ? 0 : 1;
    }
}
