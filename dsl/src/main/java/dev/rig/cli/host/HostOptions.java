package dev.rig.cli.host;

import dev.rig.engine.hostprep.BindJournal;
import dev.rig.engine.hostprep.HostPaths;
import dev.rig.engine.hostprep.StateDirectory;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where the host's interfaces and Rig's journal are; every rig host subcommand has these. */
final class HostOptions {
    private static final HostPaths SYSTEM = HostPaths.system();

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the journal of devices Rig took is kept (default: $RIG_STATE_DIR, else /var/lib/rig "
                    + "for root, else $XDG_STATE_HOME/rig).")
    Path stateDir;

    // For tests and for looking at another root's trees: hidden, as users never need them.
    @Option(names = "--sysfs", paramLabel = "DIR", hidden = true, description = "sysfs root (default /sys).")
    Path sysfs = SYSTEM.sysfs();

    @Option(names = "--dev", paramLabel = "DIR", hidden = true, description = "/dev root (default /dev).")
    Path dev = SYSTEM.dev();

    @Option(names = "--proc", paramLabel = "DIR", hidden = true, description = "procfs root (default /proc).")
    Path proc = SYSTEM.proc();

    @Option(names = "--modules", paramLabel = "DIR", hidden = true, description = "modules root (default /lib/modules).")
    Path modules = SYSTEM.modules();

    HostPaths paths() {
        return new HostPaths(sysfs, dev, proc, modules);
    }

    boolean liveHost() {
        return paths().equals(SYSTEM);
    }

    BindJournal journal() {
        return new BindJournal(stateDir != null ? stateDir : StateDirectory.resolve());
    }
}
