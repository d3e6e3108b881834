package dev.rig.cli.host;

import dev.rig.engine.host.HostInventory;
import dev.rig.engine.host.PciAddress;
import dev.rig.engine.host.PciDevice;
import dev.rig.engine.hostprep.HostPrepException;
import dev.rig.engine.hostprep.HostUse;
import dev.rig.engine.hostprep.PciIds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** rig host ls [BDF...]: the PCI devices as lspci shows them, with driver, group, BARs, SR-IOV and readiness. */
@Command(name = "ls", mixinStandardHelpOptions = true, description = "List PCI devices: class, names, driver, IOMMU group, BARs, SR-IOV, and whether "
        + "each is ready for passthrough.")
final class HostLsCommand extends HostSubcommand implements Callable<Integer> {
    @Parameters(paramLabel = "BDF", arity = "0..*", description = "Only these devices, e.g. 0000:01:00.0 or 01:00.0.")
    List<String> addresses = new ArrayList<>();

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = {"-n", "--numeric"}, description = "Numbers only: do not read the pci.ids name database.")
    boolean numeric;

    @Option(names = "--pci-ids", paramLabel = "FILE",
            description = "The pci.ids name database (default /usr/share/misc/pci.ids, from Debian's pci.ids package).")
    Path pciIds;

    @Override
    public Integer call() {
        HostInventory host = options.paths().inventory();
        List<PciDevice> devices = new ArrayList<>();
        if (addresses.isEmpty()) {
            devices.addAll(host.devices());
        } else {
            for (String text : addresses) {
                PciAddress a = PciAddress.parse(text);
                devices.add(host.device(a).orElseThrow(() -> new HostPrepException("no PCI device " + a
                        + " on this host (rig host ls lists them)")));
            }
        }
        HostUse use = new HostUse(options.paths());
        LspciFormat format = new LspciFormat(host, ids(), use::of);
        spec.commandLine().getOut().print(json ? format.json(devices) : format.text(devices));
        spec.commandLine().getOut().flush();
        return 0;
    }

    private PciIds ids() {
        if (numeric) {
            return PciIds.empty();
        }
        if (pciIds != null) {
            if (!Files.isRegularFile(pciIds)) {
                throw new HostPrepException("no PCI id database at " + pciIds);
            }
            return PciIds.load(pciIds);
        }
        return PciIds.system();
    }
}
