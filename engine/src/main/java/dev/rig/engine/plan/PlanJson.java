package dev.rig.engine.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rig.engine.alloc.AddressRange;
import dev.rig.engine.alloc.BarPlacement;
import dev.rig.engine.graph.DeviceGraph;
import dev.rig.engine.graph.GuestPciFunction;
import dev.rig.engine.graph.PciSegmentNode;
import dev.rig.engine.model.Boot;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.spi.VmPlan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `rig plan --json`: the plan as JSON (format "rig-plan", version 1; README.md documents the fields). Addresses
 * are hex strings ("0xc0000000"), sizes are byte counts, PCI addresses canonical ("0000:00:01.0").
 */
public final class PlanJson {
    public static final String FORMAT = "rig-plan";
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PlanJson() {}

    public static String render(List<VmPlan> plans) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("vms", plans.stream().map(PlanJson::vm).toList());
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("plan could not be written as JSON", e);
        }
    }

    private static Map<String, Object> vm(VmPlan plan) {
        VmSpec vm = plan.spec();
        DeviceGraph g = plan.graph();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", vm.name());
        m.put("cpus", vm.cpus());
        m.put("memory", Map.of("bytes", vm.memory().size().bytes(), "hugepages", vm.memory().hugepages(),
                "prefault", vm.memory().prefault()));
        m.put("boot", switch (vm.boot()) {
            case Boot.BuiltinGuest b -> Map.of("kind", "builtin", "name", b.name());
            case Boot.LinuxKernel k -> {
                Map<String, Object> kb = new LinkedHashMap<>();
                kb.put("kind", "kernel");
                kb.put("kernel", k.kernel().toString());
                k.initrd().ifPresent(i -> kb.put("initrd", i.toString()));
                kb.put("cmdline", k.cmdline());
                yield kb;
            }
        });
        m.put("serial", PlanText.describe(vm.serial()));
        m.put("console", PlanText.describe(vm.console()));
        m.put("hostSource", g.hostSource());
        m.put("memoryMap", g.memory().regions().stream().map(r -> {
            Map<String, Object> e = range(r.range());
            e.put("name", r.name());
            e.put("type", r.type().name());
            return e;
        }).toList());
        m.put("segments", g.segments().stream().map(PlanJson::segment).toList());
        m.put("iommuGroups", g.iommuGroups().stream().map(group -> Map.of("id", group.id(),
                "members", group.members().stream().map(Object::toString).toList())).toList());
        m.put("apertures", g.apertureUsage().stream().map(u -> {
            Map<String, Object> e = range(u.aperture());
            e.put("name", u.name());
            e.put("used", u.usedBytes());
            e.put("free", u.freeBytes());
            e.put("largestFree", u.largestFreeBlock());
            return e;
        }).toList());
        m.put("hooks", vm.hooks().stream().map(h -> h.when().name().toLowerCase() + ":" + h.step().word()).toList());
        return m;
    }

    private static Map<String, Object> segment(PciSegmentNode s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("mmio32Weight", s.mmio32Weight());
        m.put("mmio64Weight", s.mmio64Weight());
        m.put("mmio32", range(s.aperture().mmio32()));
        m.put("mmio64", range(s.aperture().mmio64()));
        m.put("ecam", range(s.aperture().ecam()));
        m.put("functions", s.functions().stream().map(PlanJson::function).toList());
        return m;
    }

    private static Map<String, Object> function(GuestPciFunction f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", f.guestAddress().toString());
        m.put("label", f.label());
        switch (f) {
            case GuestPciFunction.HostBridge h -> m.put("kind", "host-bridge");
            case GuestPciFunction.VirtioBlock v -> {
                m.put("kind", "virtio-blk");
                m.put("disk", Map.of("path", v.disk().path().toString(), "readonly", v.disk().readonly()));
            }
            case GuestPciFunction.Passthrough p -> {
                m.put("kind", "passthrough");
                Map<String, Object> host = new LinkedHashMap<>();
                host.put("address", p.host().address().toString());
                host.put("id", p.host().vendorDeviceId());
                host.put("class", String.format("0x%06x", p.host().classCode()));
                host.put("driver", p.host().driver().orElse(null));
                p.group().ifPresent(g -> host.put("iommuGroup", g.id()));
                m.put("host", host);
                m.put("managed", p.spec().managed());
                p.spec().gpudirectClique().ifPresent(c -> m.put("gpudirectClique", c));
                m.put("romExposed", p.romExposed());
                m.put("ioBars", p.ioBars().stream().map(io -> {
                    Map<String, Object> e = range(io.ports());
                    e.put("index", io.index());
                    return e;
                }).toList());
            }
        }
        m.put("bars", f.bars().stream().map(PlanJson::bar).toList());
        f.intxGsi().ifPresent(g -> m.put("intxGsi", g));
        return m;
    }

    private static Map<String, Object> bar(BarPlacement b) {
        Map<String, Object> m = range(b.range());
        m.put("index", b.bar().barIndex());
        m.put("kind", b.bar().barIndex() == dev.rig.engine.alloc.BarRequest.ROM_INDEX ? "rom" : b.bar().is64Bit() ? "mem64" : "mem32");
        m.put("prefetchable", b.bar().prefetchable());
        m.put("size", b.bar().size());
        return m;
    }

    private static Map<String, Object> range(AddressRange r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("start", String.format("0x%x", r.start()));
        m.put("size", r.size());
        return m;
    }
}
