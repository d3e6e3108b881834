package dev.rig.cli.host;

import dev.rig.engine.host.PciAddress;
import dev.rig.engine.hostprep.DriverBinder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** rig host unbind BDF...: gives devices back to the driver they had before Rig took them. */
@Command(name = "unbind", mixinStandardHelpOptions = true, description = {"Give devices back: clear driver_override, unbind vfio-pci and probe, so each "
        + "goes back to the driver it had when Rig took it (from the journal); one Rig did not take goes to the "
        + "driver the kernel picks.", "Devices not on vfio-pci are left as they are."})
final class HostUnbindCommand extends HostSubcommand implements Callable<Integer> {
    @Parameters(paramLabel = "BDF", arity = "1..*", description = "Devices, e.g. 0000:01:00.0 or 01:00.0.")
    List<String> addresses;

    @Option(names = "--group", description = "Also give back the other endpoints of the devices' IOMMU groups.")
    boolean group;

    @Override
    public Integer call() {
        List<PciAddress> devices = addresses.stream().map(PciAddress::parse).toList();
        DriverBinder binder = binder();
        HostBindCommand.print(spec, binder.unbind(devices, group));
        return 0;
    }
}
