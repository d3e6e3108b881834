package dev.rig.engine.plan;

import dev.rig.engine.alloc.ApertureUsage;
import dev.rig.engine.alloc.BarPlacement;
import dev.rig.engine.alloc.Sizes;
import dev.rig.engine.graph.DeviceGraph;
import dev.rig.engine.graph.GuestPciFunction;
import dev.rig.engine.graph.PciSegmentNode;
import dev.rig.engine.host.IommuGroup;
import dev.rig.engine.host.PciAddress;
import dev.rig.engine.model.Boot;
import dev.rig.engine.model.HookSpec;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.spi.VmPlan;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** `rig plan`'s readable tree: the VM, its memory map, segments and functions with BARs, groups, budgets. */
public final class PlanText {
    private final StringBuilder out = new StringBuilder();

    private PlanText() {}

    public static String render(VmPlan plan) {
        PlanText t = new PlanText();
        t.vm(plan);
        return t.out.toString();
    }

    private PlanText line(int indent, String text) {
        out.append("  ".repeat(indent)).append(text).append('\n');
        return this;
    }

    private void vm(VmPlan plan) {
        VmSpec vm = plan.spec();
        DeviceGraph g = plan.graph();
        line(0, "vm '" + vm.name() + "': " + vm.cpus() + " vCPU" + (vm.cpus() == 1 ? "" : "s") + ", "
                + Sizes.format(vm.memory().size().bytes()) + " RAM" + (vm.memory().hugepages() ? " on huge pages" : "")
                + (vm.memory().prefault() ? ", prefaulted" : "") + ", " + boot(vm.boot()));
        line(1, "serial " + describe(vm.serial()) + ", console " + describe(vm.console()) + "; host facts from "
                + g.hostSource());
        line(0, "memory map");
        g.memory().describe().lines().forEach(l -> line(1, l));
        for (PciSegmentNode s : g.segments()) segment(s);
        if (!g.iommuGroups().isEmpty()) {
            Set<PciAddress> inVm = g.passthroughDevices().stream().map(p -> p.host().address()).collect(Collectors.toSet());
            line(0, "IOMMU groups");
            for (IommuGroup group : g.iommuGroups()) {
                line(1, "group " + group.id() + ": " + group.members().stream()
                        .map(m -> m + (inVm.contains(m) ? " (this VM)" : " (not in this VM)")).collect(Collectors.joining(", ")));
            }
        }
        line(0, "aperture budget");
        for (ApertureUsage u : g.apertureUsage())
            line(1, String.format(Locale.ROOT, "%-22s %s: %s used, %s left (largest free block %s)", u.name(),
                    u.aperture(), Sizes.format(u.usedBytes()), Sizes.format(u.freeBytes()), Sizes.format(u.largestFreeBlock())));
        if (!vm.hooks().isEmpty()) {
            line(0, "hooks");
            for (HookSpec h : vm.hooks())
                line(1, h.when().name().toLowerCase(Locale.ROOT) + "('" + h.step().word() + "')"
                        + h.origin().map(o -> " at " + o).orElse(""));
        }
    }

    private void segment(PciSegmentNode s) {
        line(0, "PCI segment " + s.id() + " (mmio32 weight " + s.mmio32Weight() + ", mmio64 weight " + s.mmio64Weight() + ")");
        line(1, "mmio32 " + s.aperture().mmio32() + ", mmio64 " + s.aperture().mmio64() + ", ECAM " + s.aperture().ecam());
        for (GuestPciFunction f : s.functions()) function(f);
    }

    private void function(GuestPciFunction f) {
        String at = String.format("%02x:%02x.%x", f.guestAddress().bus(), f.guestAddress().device(), f.guestAddress().function());
        switch (f) {
            case GuestPciFunction.HostBridge h -> line(1, at + "  host bridge");
            case GuestPciFunction.VirtioBlock v -> line(1, at + "  virtio-blk '" + v.label() + "' <- " + v.disk().path()
                    + (v.disk().readonly() ? " (read-only)" : " (read-write)"));
            case GuestPciFunction.Passthrough p -> {
                line(1, at + "  passthrough '" + p.label() + "' <- " + p.host().address() + " " + p.host().vendorDeviceId()
                        + String.format(" class 0x%06x", p.host().classCode()) + ", driver " + p.host().driver().orElse("none")
                        + p.group().map(g -> ", IOMMU group " + g.id()).orElse("")
                        + (p.spec().managed() ? ", managed" : ", unmanaged")
                        + (p.spec().gpudirectClique().isPresent() ? ", GPUDirect clique " + p.spec().gpudirectClique().getAsInt() : "")
                        + (p.host().rom().isPresent() ? (p.romExposed() ? ", ROM exposed" : ", ROM hidden") : ""));
                for (GuestPciFunction.IoBar io : p.ioBars())
                    line(3, String.format("BAR%d io         %s", io.index(), io.ports()));
            }
        }
        for (BarPlacement b : f.bars()) {
            String name = b.bar().barIndex() == dev.rig.engine.alloc.BarRequest.ROM_INDEX ? "ROM " : "BAR" + b.bar().barIndex();
            String kind = (b.bar().is64Bit() ? "mem64" : "mem32") + (b.bar().prefetchable() ? " pref" : "     ");
            line(3, String.format(Locale.ROOT, "%s %s 0x%x  %s", name, kind, b.range().start(), Sizes.format(b.bar().size())));
        }
        if (f.intxGsi().isPresent())
            line(3, "INTx on GSI " + f.intxGsi().getAsInt()
                    + (f instanceof GuestPciFunction.HostBridge ? "" : "; MSI/MSI-X vectors get GSIs when the guest enables them"));
    }

    private static String boot(Boot boot) {
        return switch (boot) {
            case Boot.BuiltinGuest g -> "built-in guest '" + g.name() + "'";
            case Boot.LinuxKernel k -> "kernel " + k.kernel() + k.initrd().map(i -> " with initrd " + i).orElse("")
                    + (k.cmdline().isEmpty() ? "" : " cmdline '" + k.cmdline() + "'");
        };
    }

    static String describe(dev.rig.engine.model.Serial s) {
        return switch (s) {
            case dev.rig.engine.model.Serial.Stdout o -> "stdout";
            case dev.rig.engine.model.Serial.Tty t -> "tty";
            case dev.rig.engine.model.Serial.Off o -> "off";
            case dev.rig.engine.model.Serial.ToFile f -> f.path().toString();
        };
    }

}
