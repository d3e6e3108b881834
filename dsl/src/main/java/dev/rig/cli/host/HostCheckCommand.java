package dev.rig.cli.host;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rig.dsl.ScriptLoader;
import dev.rig.engine.host.PciAddress;
import dev.rig.engine.hostprep.HostCheck;
import dev.rig.engine.hostprep.HostChecks;
import dev.rig.engine.model.DeviceSpec;
import dev.rig.engine.model.MemorySize;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.validate.ValidationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * rig host check [SCRIPT]: can this host run a VFIO guest (the script's, when one is given)? Prints ok, warn or
 * fail per check with the fix; exits 1 when any check fails.
 */
@Command(name = "check", mixinStandardHelpOptions = true, description = {"Check the host for passthrough: IOMMU, vfio-pci, access to /dev/vfio, "
        + "RLIMIT_MEMLOCK against the guest's RAM, hugepages, and each device's readiness. Prints the fix for each "
        + "problem.", "Exits 1 when a check fails; warnings do not count."})
final class HostCheckCommand implements Callable<Integer> {
    @Mixin
    HostOptions options;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SCRIPT", arity = "0..1", description = "A Rig script: check for its guest RAM and its devices.")
    Path script;

    @Option(names = "--memory", paramLabel = "SIZE", description = "Guest RAM to check RLIMIT_MEMLOCK and hugepages "
            + "against, e.g. 4G (default: the script's).")
    String memory;

    @Option(names = "--device", paramLabel = "BDF", description = "A device the guest passes through (repeatable).")
    List<String> devices = new ArrayList<>();

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() throws JsonProcessingException {
        List<VmSpec> vms = script != null ? scriptVms(script) : List.of();
        long ram = memory != null ? MemorySize.parse(memory).bytes()
                : vms.stream().mapToLong(vm -> vm.memory().size().bytes()).sum();
        List<PciAddress> addresses = new ArrayList<>(devices.stream().map(PciAddress::parse).toList());
        for (VmSpec vm : vms) {
            for (DeviceSpec d : vm.devices()) {
                PciAddress a = PciAddress.parse(d.path());
                if (!addresses.contains(a)) addresses.add(a);
            }
        }
        List<HostCheck> checks = new HostChecks(options.paths()).run(ram, addresses);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = LspciFormat.JSON.createObjectNode();
            root.put("passed", HostChecks.passed(checks));
            ArrayNode list = root.putArray("checks");
            for (HostCheck c : checks) {
                list.addObject().put("name", c.name()).put("status", c.status().label()).put("detail", c.detail())
                        .put("fix", c.fix());
            }
            out.println(LspciFormat.JSON.writeValueAsString(root));
        } else {
            int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
            for (HostCheck c : checks) {
                out.println(String.format(Locale.ROOT, "%-4s  %-" + width + "s  %s", c.status().label(), c.name(),
                        c.detail()));
                if (!c.fix().isEmpty()) {
                    out.println("      fix: " + c.fix());
                }
            }
        }
        out.flush();
        return HostChecks.passed(checks) ? 0 : 1;
    }

    /** The VMs the script declares: their RAM (summed) and their passthrough devices are what is checked. */
    private static List<VmSpec> scriptVms(Path script) {
        ScriptLoader.Loaded loaded = ScriptLoader.load(script);
        if (!loaded.problems().isEmpty()) throw new ValidationException(loaded.problems());
        return loaded.vms();
    }
}
