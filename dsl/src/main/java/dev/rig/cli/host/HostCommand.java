package dev.rig.cli.host;

import dev.rig.engine.hostprep.SysfsWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.Objects;

/**
 * rig host: prepares the host for passthrough (lists devices, checks the host, binds devices to vfio-pci and gives
 * them back, creates SR-IOV VFs, restores after a crash, writes snapshots).
 */
@Command(name = "host", mixinStandardHelpOptions = true, description = "Prepare this host for passthrough: list, check, bind, unbind, SR-IOV, restore.",
        subcommands = {HostLsCommand.class, HostCheckCommand.class, HostBindCommand.class, HostUnbindCommand.class,
                HostSriovCommand.class, HostRestoreCommand.class, HostSnapshotCommand.class})
public final class HostCommand implements Runnable {

    private final SysfsWriter writer;

    @Spec
    CommandSpec spec;

    /** The live host: sysfs attributes are written as plain files. */
    public HostCommand() {
        this(SysfsWriter.files());
    }

    /** Tests pass a fake kernel that applies the writes to a fake tree. */
    public HostCommand(SysfsWriter writer) {
        this.writer = Objects.requireNonNull(writer, "writer");
    }

    SysfsWriter writer() {
        return writer;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "rig host needs a subcommand: ls, check, bind, unbind, sriov, restore or snapshot");
    }
}
