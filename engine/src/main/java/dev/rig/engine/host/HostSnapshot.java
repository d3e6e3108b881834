package dev.rig.engine.host;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes any {@link HostInventory} as JSON and reads it back, so that {@code rig plan --host host.json} can plan a
 * VM for another machine. Writing then reading gives an equal inventory, and writing that again gives the same text.
 *
 * <h2>Format, version 1</h2>
 * <pre>{@code
 * {
 *   "format": "rig-host-snapshot",
 *   "version": 1,
 *   "devices": [
 *     {
 *       "address": "0000:01:00.0",
 *       "vendor": "0x10de",
 *       "device": "0x128b",
 *       "subsystemVendor": "0x1043",
 *       "subsystemDevice": "0x8576",
 *       "class": "0x030000",
 *       "revision": "0xa1",
 *       "headerType": "0x80",
 *       "driver": "nvidia",
 *       "iommuGroup": 22,
 *       "numaNode": 0,
 *       "bars": [
 *         { "index": 0, "kind": "mem32", "prefetchable": false, "start": "0xf6000000", "size": "0x1000000" },
 *         { "index": 1, "kind": "mem64", "prefetchable": true, "start": "0xe0000000", "size": "0x8000000" }
 *       ],
 *       "rom": { "start": "0xf7000000", "size": "0x80000" }
 *     },
 *     {
 *       "address": "0000:03:00.0", ...,
 *       "sriov": { "totalVfs": 8, "numVfs": 2, "virtualFunctions": [ "0000:03:00.1", "0000:03:00.2" ] }
 *     },
 *     { "address": "0000:03:00.1", ..., "physfn": "0000:03:00.0" }
 *   ],
 *   "iommuGroups": [
 *     { "id": 22, "members": [ "0000:01:00.0", "0000:01:00.1" ] }
 *   ]
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@code format} and {@code version} are required; readers reject other values.</li>
 *   <li>Per device, {@code address}, {@code vendor}, {@code device}, {@code subsystemVendor},
 *       {@code subsystemDevice}, {@code class} and {@code revision} are required. {@code headerType},
 *       {@code driver}, {@code iommuGroup}, {@code numaNode}, {@code rom}, {@code sriov} and {@code physfn} are
 *       left out when the host did not have them; {@code bars} is left out when empty.</li>
 *   <li>Ids, class, revision, header type, BAR and ROM addresses and sizes are hex strings ({@code "0x10de"});
 *       readers also take plain JSON numbers for them. Group ids, NUMA nodes, BAR indices and VF counts are
 *       numbers. Addresses are canonical {@link PciAddress} strings. BAR kind is {@code io}, {@code mem32} or
 *       {@code mem64}; {@code prefetchable} defaults to false.</li>
 *   <li>{@code iommuGroups} lists every group with its PCI members; an empty list means the IOMMU is off. Devices
 *       and groups must agree (see {@link SnapshotHostInventory}).</li>
 *   <li>Unknown fields, repeated fields and text after the top-level object are errors, so that a slip in a
 *       hand-edited file is not silently ignored.</li>
 * </ul>
 * Devices are written sorted by address and groups by id, two-space indented, with {@code \n} line ends; an
 * object or array that fits in 120 columns stays on one line.
 */
public final class HostSnapshot {

    public static final String FORMAT = "rig-host-snapshot";
    public static final int VERSION = 1;

    // Hand-edited files: a repeated key or text after the closing brace is an error, not silently dropped.
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private HostSnapshot() {
    }

    /** The snapshot text of {@code inventory}, ending in a newline. */
    public static String toJson(HostInventory inventory) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        ArrayNode devices = root.putArray("devices");
        inventory.devices().forEach(d -> devices.add(device(d)));
        ArrayNode groups = root.putArray("iommuGroups");
        for (IommuGroup g : inventory.iommuGroups()) {
            ObjectNode group = groups.addObject();
            group.put("id", g.id());
            ArrayNode members = group.putArray("members");
            g.members().forEach(m -> members.add(m.toString()));
        }
        return SnapshotJsonFormat.format(root);
    }

    public static void write(HostInventory inventory, Path file) throws IOException {
        Files.writeString(file, toJson(inventory));
    }

    /** Reads a snapshot file; its inventory's {@link HostInventory#source()} is {@code "snapshot <file>"}. */
    public static SnapshotHostInventory read(Path file) throws IOException {
        return fromJson(Files.readString(file), "snapshot " + file);
    }

    public static SnapshotHostInventory fromJson(String json) {
        return fromJson(json, "snapshot");
    }

    /**
     * Parses snapshot text.
     *
     * @param source label for {@link HostInventory#source()} and for error messages
     * @throws HostInventoryException naming the JSON field at fault
     */
    public static SnapshotHostInventory fromJson(String json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new HostInventoryException(source + ": not valid JSON: " + e.getOriginalMessage() + where, e);
        }
        SnapshotFields top = new SnapshotFields(source, "", root, "format", "version", "devices", "iommuGroups");
        String format = top.requiredText("format");
        if (!format.equals(FORMAT)) {
            throw top.error("format", "expected \"" + FORMAT + "\", got \"" + format + "\"");
        }
        int version = top.requiredInt("version");
        if (version != VERSION) {
            throw top.error("version", "this Rig reads version " + VERSION + ", the file is version " + version);
        }
        top.require("devices");
        top.require("iommuGroups");
        List<PciDevice> devices = new ArrayList<>();
        for (SnapshotFields d : top.objects("devices", DEVICE_FIELDS)) {
            devices.add(d.build(() -> device(d)));
        }
        List<IommuGroup> groups = new ArrayList<>();
        for (SnapshotFields g : top.objects("iommuGroups", "id", "members")) {
            groups.add(g.build(() -> new IommuGroup(g.requiredInt("id"), g.addresses("members"))));
        }
        return new SnapshotHostInventory(devices, groups, source);
    }

    private static final String[] DEVICE_FIELDS = {"address", "vendor", "device", "subsystemVendor",
            "subsystemDevice", "class", "revision", "headerType", "driver", "iommuGroup", "numaNode", "bars", "rom",
            "sriov", "physfn"};

    private static ObjectNode device(PciDevice d) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("address", d.address().toString());
        o.put("vendor", hex(d.vendorId(), 4));
        o.put("device", hex(d.deviceId(), 4));
        o.put("subsystemVendor", hex(d.subsystemVendorId(), 4));
        o.put("subsystemDevice", hex(d.subsystemDeviceId(), 4));
        o.put("class", hex(d.classCode(), 6));
        o.put("revision", hex(d.revision(), 2));
        d.headerType().ifPresent(h -> o.put("headerType", hex(h, 2)));
        d.driver().ifPresent(name -> o.put("driver", name));
        d.iommuGroup().ifPresent(g -> o.put("iommuGroup", g));
        d.numaNode().ifPresent(n -> o.put("numaNode", n));
        if (!d.bars().isEmpty()) {
            ArrayNode bars = o.putArray("bars");
            for (Bar bar : d.bars()) {
                ObjectNode b = bars.addObject();
                b.put("index", bar.index());
                b.put("kind", bar.kind().jsonName());
                b.put("prefetchable", bar.prefetchable());
                b.put("start", hex(bar.start()));
                b.put("size", hex(bar.size()));
            }
        }
        d.rom().ifPresent(rom -> {
            ObjectNode r = o.putObject("rom");
            r.put("start", hex(rom.start()));
            r.put("size", hex(rom.size()));
        });
        d.sriov().ifPresent(s -> {
            ObjectNode sr = o.putObject("sriov");
            sr.put("totalVfs", s.totalVfs());
            sr.put("numVfs", s.numVfs());
            ArrayNode vfs = sr.putArray("virtualFunctions");
            s.virtualFunctions().forEach(vf -> vfs.add(vf.toString()));
        });
        d.physfn().ifPresent(pf -> o.put("physfn", pf.toString()));
        return o;
    }

    private static PciDevice device(SnapshotFields d) {
        PciDevice.Builder b = PciDevice.builder(d.requiredAddress("address"))
                .vendorId(d.requiredHex("vendor", 0xffff))
                .deviceId(d.requiredHex("device", 0xffff))
                .subsystem(d.requiredHex("subsystemVendor", 0xffff), d.requiredHex("subsystemDevice", 0xffff))
                .classCode(d.requiredHex("class", 0xffffff))
                .revision(d.requiredHex("revision", 0xff))
                .headerType(d.optionalHex("headerType", 0xff))
                .driver(d.optionalText("driver"))
                .iommuGroup(d.optionalInt("iommuGroup"))
                .numaNode(d.optionalInt("numaNode"))
                .physfn(d.optionalAddress("physfn"));
        for (SnapshotFields bar : d.objects("bars", "index", "kind", "prefetchable", "start", "size")) {
            b.bar(bar.build(() -> new Bar(bar.requiredInt("index"), bar.requiredLong("start"),
                    bar.requiredLong("size"), bar.kind("kind"), bar.optionalBoolean("prefetchable", false))));
        }
        d.optionalObject("rom", "start", "size").ifPresent(rom -> b.rom(rom.build(
                () -> new ExpansionRom(rom.requiredLong("start"), rom.requiredLong("size")))));
        d.optionalObject("sriov", "totalVfs", "numVfs", "virtualFunctions").ifPresent(s -> b.sriov(s.build(
                () -> new SriovInfo(s.requiredInt("totalVfs"), s.requiredInt("numVfs"),
                        s.addresses("virtualFunctions")))));
        return b.build();
    }

    private static String hex(int value, int digits) {
        return String.format(Locale.ROOT, "0x%0" + digits + "x", value);
    }

    private static String hex(long unsigned) {
        return "0x" + Long.toHexString(unsigned);
    }
}
