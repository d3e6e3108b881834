package dev.rig.cli.host;

import dev.rig.engine.host.PciAddress;
import dev.rig.engine.hostprep.DriverBinder;
import dev.rig.engine.hostprep.DriverChange;
import dev.rig.engine.hostprep.Owner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** rig host bind BDF...: moves devices to vfio-pci, whole IOMMU groups at a time; refuses with every reason. */
@Command(name = "bind", mixinStandardHelpOptions = true, description = {"Move devices to vfio-pci (driver_override, unbind, drivers_probe), journaled "
        + "so that rig host unbind or rig host restore gives them back to their driver.",
        "Every endpoint of a device's IOMMU group must be named, or add --group; bridges are left alone. "
                + "Devices already on vfio-pci are left as they are."})
final class HostBindCommand extends HostSubcommand implements Callable<Integer> {
    @Parameters(paramLabel = "BDF", arity = "1..*", description = "Devices, e.g. 0000:01:00.0 or 01:00.0.")
    List<String> addresses;

    @Option(names = "--group", description = "Also take every other endpoint of the devices' IOMMU groups.")
    boolean group;

    @Option(names = "--force", description = "Take devices the host is using (a mounted disk, a network interface that is up).")
    boolean force;

    @Option(names = "--modprobe", description = "Load vfio-pci (modprobe vfio-pci) if it is not loaded.")
    boolean modprobe;

    @Override
    public Integer call() {
        List<PciAddress> devices = addresses.stream().map(PciAddress::parse).toList();
        if (modprobe) {
            VfioModule.load(options);
        }
        DriverBinder binder = binder();
        DriverBinder.Options opts = new DriverBinder.Options(group, force);
        PrintWriter err = spec.commandLine().getErr();
        binder.planBind(devices, opts).notes().forEach(n -> err.println("rig: warning: " + n));
        err.flush();
        print(spec, binder.bind(devices, opts, Owner.manualBind()));
        return 0;
    }

    static void print(CommandSpec spec, List<DriverChange> changes) {
        PrintWriter out = spec.commandLine().getOut();
        changes.forEach(c -> out.println(c.describe()));
        out.flush();
    }
}
