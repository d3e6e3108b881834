package dev.rig.cli.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rig.engine.host.Bar;
import dev.rig.engine.host.HostInventory;
import dev.rig.engine.host.PciAddress;
import dev.rig.engine.host.PciDevice;
import dev.rig.engine.hostprep.PassthroughReadiness;
import dev.rig.engine.hostprep.PciIds;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * rig host ls's output: per device an lspci -Dnnv style header line ({@code 0000:01:00.0 VGA compatible controller
 * [0300]: NVIDIA Corporation GK208B [GeForce GT 710] [10de:128b] (rev a1)}), then tab-indented lines for the
 * subsystem, driver, IOMMU group, BARs (as lspci -v shows them), ROM, SR-IOV, host use and passthrough readiness.
 * Names come from pci.ids; without it, numbers only.
 */
final class LspciFormat {

    static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final HostInventory host;
    private final PciIds ids;
    private final Function<PciAddress, List<String>> hostUse;

    LspciFormat(HostInventory host, PciIds ids, Function<PciAddress, List<String>> hostUse) {
        this.host = host;
        this.ids = ids;
        this.hostUse = hostUse;
    }

    /** "0000:01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GK208B [GeForce GT 710] [10de:128b] (rev a1)". */
    String headline(PciDevice d) {
        String cls = String.format(Locale.ROOT, "[%04x]", d.classCode() >>> 8);
        String rev = d.revision() == 0 ? "" : String.format(Locale.ROOT, " (rev %02x)", d.revision());
        return d.address() + " " + ids.className(d.classCode()).orElse("Class") + " " + cls + ": "
                + name(d.vendorId(), d.deviceId(), ids.device(d.vendorId(), d.deviceId()).orElse(null)) + rev;
    }

    /** "NVIDIA Corporation GK208B [GeForce GT 710] [10de:128b]", "NVIDIA Corporation Device [10de:26b9]", "Device [10de:26b9]". */
    private String name(int vendor, int device, String deviceName) {
        String ids4 = String.format(Locale.ROOT, "[%04x:%04x]", vendor, device);
        return ids.vendor(vendor).map(v -> v + " ").orElse("") + (deviceName == null ? "Device" : deviceName) + " " + ids4;
    }

    String text(List<PciDevice> devices) {
        StringBuilder out = new StringBuilder();
        for (PciDevice d : devices) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append(headline(d)).append('\n');
            for (String line : details(d)) {
                out.append('\t').append(line).append('\n');
            }
        }
        return out.toString();
    }

    private List<String> details(PciDevice d) {
        List<String> lines = new ArrayList<>();
        lines.add("Subsystem: " + name(d.subsystemVendorId(), d.subsystemDeviceId(), ids.subsystem(d.vendorId(),
                d.deviceId(), d.subsystemVendorId(), d.subsystemDeviceId()).orElse(null)));
        lines.add("Driver: " + d.driver().orElse("none"));
        lines.add(group(d));
        for (Bar b : d.bars()) {
            lines.add("BAR " + b.index() + ": " + bar(b));
        }
        d.rom().ifPresent(r -> lines.add(String.format(Locale.ROOT, "Expansion ROM at %08x [size=%s]", r.start(),
                size(r.size()))));
        d.sriov().ifPresent(s -> lines.add("SR-IOV: " + s.numVfs() + " of " + s.totalVfs() + " VFs enabled"
                + (s.virtualFunctions().isEmpty() ? "" : ": " + s.virtualFunctions().stream()
                .map(PciAddress::toString).collect(Collectors.joining(" ")))));
        d.physfn().ifPresent(pf -> lines.add("SR-IOV: virtual function of " + pf));
        List<String> uses = hostUse.apply(d.address());
        if (!uses.isEmpty()) {
            lines.add("In use by the host: " + String.join("; ", uses));
        }
        lines.add("Passthrough: " + PassthroughReadiness.of(host, d.address()).summary());
        return lines;
    }

    private String group(PciDevice d) {
        if (d.iommuGroup().isEmpty()) {
            return "IOMMU group: none";
        }
        int id = d.iommuGroup().getAsInt();
        List<String> others = host.iommuGroup(id).orElseThrow().members().stream()
                .filter(m -> !m.equals(d.address()))
                .map(m -> m + " (" + host.requireDevice(m).driver().orElse("no driver") + ")")
                .toList();
        return "IOMMU group " + id + (others.isEmpty() ? ", alone" : ", also: " + String.join(", ", others));
    }

    /** As lspci -v: "Memory at f6000000 (32-bit, non-prefetchable) [size=16M]", "I/O ports at e000 [size=128]". */
    static String bar(Bar b) {
        if (b.kind() == Bar.Kind.IO) {
            return String.format(Locale.ROOT, "I/O ports at %04x [size=%s]", b.start(), size(b.size()));
        }
        return String.format(Locale.ROOT, "Memory at %08x (%s, %s) [size=%s]", b.start(),
                b.is64Bit() ? "64-bit" : "32-bit", b.prefetchable() ? "prefetchable" : "non-prefetchable",
                size(b.size()));
    }

    /** lspci's show_size: the largest of K, M, G, T that divides the size exactly. */
    static String size(long bytes) {
        String[] suffix = {"", "K", "M", "G", "T"};
        int i = 0;
        while (i < suffix.length - 1 && bytes % 1024 == 0) {
            bytes /= 1024;
            i++;
        }
        return Long.toUnsignedString(bytes) + suffix[i];
    }

    String json(List<PciDevice> devices) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("devices");
        for (PciDevice d : devices) {
            ObjectNode o = list.addObject();
            o.put("address", d.address().toString());
            o.put("headline", headline(d));
            o.put("class", hex(d.classCode(), 6));
            o.put("className", ids.className(d.classCode()).orElse(null));
            o.put("vendor", hex(d.vendorId(), 4));
            o.put("vendorName", ids.vendor(d.vendorId()).orElse(null));
            o.put("device", hex(d.deviceId(), 4));
            o.put("deviceName", ids.device(d.vendorId(), d.deviceId()).orElse(null));
            o.put("subsystemVendor", hex(d.subsystemVendorId(), 4));
            o.put("subsystemDevice", hex(d.subsystemDeviceId(), 4));
            o.put("revision", hex(d.revision(), 2));
            o.put("bridge", d.isBridge());
            o.put("driver", d.driver().orElse(null));
            if (d.iommuGroup().isPresent()) {
                o.put("iommuGroup", d.iommuGroup().getAsInt());
                ArrayNode members = o.putArray("groupMembers");
                for (PciAddress m : host.iommuGroup(d.iommuGroup().getAsInt()).orElseThrow().members()) {
                    ObjectNode mo = members.addObject();
                    mo.put("address", m.toString());
                    mo.put("driver", host.requireDevice(m).driver().orElse(null));
                    mo.put("bridge", host.requireDevice(m).isBridge());
                }
            } else {
                o.putNull("iommuGroup");
            }
            ArrayNode bars = o.putArray("bars");
            for (Bar b : d.bars()) {
                ObjectNode bo = bars.addObject();
                bo.put("index", b.index());
                bo.put("kind", b.kind().jsonName());
                bo.put("bits", b.kind() == Bar.Kind.IO ? null : b.is64Bit() ? 64 : 32);
                bo.put("prefetchable", b.prefetchable());
                bo.put("start", "0x" + Long.toHexString(b.start()));
                bo.put("size", "0x" + Long.toHexString(b.size()));
            }
            d.rom().ifPresent(r -> o.putObject("rom").put("start", "0x" + Long.toHexString(r.start()))
                    .put("size", "0x" + Long.toHexString(r.size())));
            d.sriov().ifPresent(s -> {
                ObjectNode so = o.putObject("sriov");
                so.put("totalVfs", s.totalVfs());
                so.put("numVfs", s.numVfs());
                ArrayNode vfs = so.putArray("virtualFunctions");
                s.virtualFunctions().forEach(vf -> vfs.add(vf.toString()));
            });
            d.physfn().ifPresent(pf -> o.put("physfn", pf.toString()));
            ArrayNode uses = o.putArray("hostUse");
            hostUse.apply(d.address()).forEach(uses::add);
            PassthroughReadiness r = PassthroughReadiness.of(host, d.address());
            ObjectNode ro = o.putObject("passthrough");
            ro.put("ready", r.ready());
            ro.put("summary", r.summary());
            ArrayNode reasons = ro.putArray("reasons");
            r.reasons().forEach(reasons::add);
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(int value, int digits) {
        return String.format(Locale.ROOT, "0x%0" + digits + "x", value);
    }
}
