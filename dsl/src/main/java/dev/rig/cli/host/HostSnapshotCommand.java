package dev.rig.cli.host;

import dev.rig.engine.host.HostSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** rig host snapshot [-o FILE]: this host's PCI facts as a HostSnapshot JSON, for planning on another machine. */
@Command(name = "snapshot", mixinStandardHelpOptions = true, description = "Write this host's PCI facts as JSON (rig host snapshot > host.json), to "
        + "plan VMs for this machine elsewhere.")
final class HostSnapshotCommand extends HostSubcommand implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Override
    public Integer call() throws IOException {
        var host = options.paths().inventory();
        if (output != null) {
            HostSnapshot.write(host, output);
        } else {
            spec.commandLine().getOut().print(HostSnapshot.toJson(host));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
