package dev.rig.cli.host;

import dev.rig.engine.host.PciAddress;
import dev.rig.engine.host.PciDevice;
import dev.rig.engine.hostprep.SriovConfigurator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** rig host sriov BDF --vfs N: sets the number of SR-IOV VFs of a PF, then lists them. */
@Command(name = "sriov", mixinStandardHelpOptions = true, description = "Create or remove SR-IOV virtual functions of a physical function "
        + "(sriov_numvfs), then list them.")
final class HostSriovCommand extends HostSubcommand implements Callable<Integer> {
    @Parameters(paramLabel = "BDF", description = "The physical function, e.g. 0000:03:00.0.")
    String address;

    @Option(names = "--vfs", paramLabel = "N", required = true, description = "How many VFs to have; 0 removes them.")
    int vfs;

    @Option(names = "--force", description = "Remove VFs even when they are on vfio-pci or the host uses them.")
    boolean force;

    @Override
    public Integer call() {
        PciAddress pf = PciAddress.parse(address);
        SriovConfigurator.Result r = new SriovConfigurator(options.paths(), parent.writer()).setVfs(pf, vfs, force);
        PrintWriter out = spec.commandLine().getOut();
        int total = r.pf().sriov().orElseThrow().totalVfs();
        out.println(pf + ": " + (r.before() == r.vfs().size() ? r.vfs().size() + " VFs enabled, unchanged"
                : r.before() + " -> " + r.vfs().size() + " VFs") + " (at most " + total + ")");
        for (PciDevice vf : r.vfs()) {
            out.println("\t" + vf.address() + " [" + vf.vendorDeviceId() + "] driver " + vf.driver().orElse("none")
                    + ", " + vf.iommuGroup().stream().mapToObj(g -> "IOMMU group " + g).findFirst()
                    .orElse("no IOMMU group"));
        }
        out.flush();
        return 0;
    }
}
