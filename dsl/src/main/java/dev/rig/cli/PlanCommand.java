package dev.rig.cli;

import dev.rig.dsl.ScriptPlanner;
import dev.rig.engine.Rig;
import dev.rig.engine.host.HostInventory;
import dev.rig.engine.host.HostSnapshot;
import dev.rig.engine.host.SysfsHostInventory;
import dev.rig.engine.plan.PlanJson;
import dev.rig.engine.plan.PlanText;
import dev.rig.engine.spi.VmPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** rig plan SCRIPT: check everything and print the resolved VM; touches nothing on the host. */
@Command(name = "plan", description = "Check a script against this host (or a snapshot of another) and print the VM "
        + "it would build: memory map, PCI segments, devices, BARs, interrupts, IOMMU groups, aperture budget.")
final class PlanCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SCRIPT", description = "A Rig script.")
    Path script;

    @Option(names = "--host", paramLabel = "FILE", description = "Plan for the machine described by this snapshot "
            + "(made there with `rig host snapshot > FILE`) instead of this one.")
    Path hostSnapshot;

    @Option(names = "--sysfs", paramLabel = "DIR", hidden = true, description = "Read host facts from this sysfs tree.")
    Path sysfs;

    @Option(names = "--json", description = "Print the plan as JSON (format rig-plan, version 1).")
    boolean json;

    @Override
    public Integer call() {
        Supplier<HostInventory> host;
        if (hostSnapshot != null) {
            HostInventory snapshot = readSnapshot();
            host = () -> snapshot;
        } else {
            host = sysfs != null ? () -> new SysfsHostInventory(sysfs) : SysfsHostInventory::new;
        }
        Rig rig = new Rig(Rig.defaultHypervisor(), host);
        List<VmPlan> plans = ScriptPlanner.plan(script, rig);
        if (json) System.out.print(PlanJson.render(plans));
        else plans.forEach(p -> System.out.print(PlanText.render(p)));
        return 0;
    }

    private HostInventory readSnapshot() {
        try {
            return HostSnapshot.read(hostSnapshot);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("no host snapshot " + hostSnapshot
                    + " (make one on that machine with: rig host snapshot > host.json)");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read host snapshot " + hostSnapshot + ": " + e.getMessage());
        }
    }
}
