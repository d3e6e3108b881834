package dev.rig.engine.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The fluent Java API for a VM (the Groovy DSL is a thin adapter over it). Values are checked for form here;
 * whether the whole VM makes sense is checked by validation, which reports every problem at once.
 */
public final class VmBuilder {
    public static final String DEFAULT_GUEST = "hello";

    private String name;
    private int cpus = 1;
    private MemorySize memory = MemorySize.ofMiB(64);
    private boolean hugepages, prefault;
    private MemorySize hugepageSize;
    private Boot boot;
    private Serial serial = new Serial.Stdout();
    private Serial console = new Serial.Off();
    private Path serialLog;
    private Path kernel, initrd;
    private String cmdline = "";
    private int numPciSegments = 1;
    private final List<DiskSpec> disks = new ArrayList<>();
    private final List<DeviceSpec> devices = new ArrayList<>();
    private final List<PciSegmentSpec> segments = new ArrayList<>();
    private final List<HookSpec> hooks = new ArrayList<>();
    private final Map<String, SourceRef> origins = new HashMap<>();
    private SourceRef at;

    public VmBuilder(String name) { this.name = name; }

    /** Records where the next settings come from (the DSL calls this with the script line). */
    public VmBuilder at(SourceRef where) {
        this.at = where;
        return this;
    }

    private VmBuilder set(String setting) {
        if (at != null) origins.put(setting, at);
        return this;
    }

    public VmBuilder name(String name) {
        this.name = name;
        return set("name");
    }

    public VmBuilder cpus(int cpus) {
        this.cpus = cpus;
        return set("cpus");
    }

    public VmBuilder memory(MemorySize size) {
        this.memory = size;
        return set("memory");
    }

    /** Memory as text, e.g. "512M"; a malformed size fails here with the accepted forms. */
    public VmBuilder memory(String size) { return memory(MemorySize.parse(size)); }

    /** Back guest RAM with huge pages (of the system's default size unless {@link #hugepageSize} says). */
    public VmBuilder hugepages(boolean on) {
        this.hugepages = on;
        return set("hugepages");
    }

    public VmBuilder hugepageSize(String size) {
        this.hugepageSize = MemorySize.parse(size);
        this.hugepages = true;
        return set("hugepageSize");
    }

    /** Touch all guest RAM before the guest starts (no page faults later; the cost is paid up front). */
    public VmBuilder prefault(boolean on) {
        this.prefault = on;
        return set("prefault");
    }

    public VmBuilder guest(String builtinName) {
        this.boot = new Boot.BuiltinGuest(builtinName);
        return set("guest");
    }

    public VmBuilder kernel(Path kernel) {
        this.kernel = kernel;
        return set("kernel");
    }

    public VmBuilder initrd(Path initrd) {
        this.initrd = initrd;
        return set("initrd");
    }

    public VmBuilder cmdline(String cmdline) {
        this.cmdline = cmdline;
        return set("cmdline");
    }

    public VmBuilder serial(Serial serial) {
        this.serial = serial;
        return set("serial");
    }

    public VmBuilder serial(String where) { return serial(Serial.parse(where)); }

    /** A file that gets a copy of all serial output (a per-VM log for test rigs), besides {@link #serial}. */
    public VmBuilder serialLog(Path file) {
        this.serialLog = file;
        return set("serialLog");
    }

    /** The virtio console (hvc0), off by default. */
    public VmBuilder console(Serial console) {
        this.console = console;
        return set("console");
    }

    public VmBuilder console(String where) { return console(Serial.parse(where)); }

    public VmBuilder disk(Path path) { return disk(path, false, null); }

    public VmBuilder disk(Path path, boolean readonly, String id) {
        disks.add(new DiskSpec(path, readonly, Optional.ofNullable(id), Optional.ofNullable(at)));
        return this;
    }

    /** A host PCI device by sysfs path or address ("0000:01:00.0"), with default options. */
    public VmBuilder device(String path) { return device(path, d -> { }); }

    public VmBuilder device(String path, Consumer<DeviceBuilder> options) {
        DeviceBuilder b = new DeviceBuilder(path);
        options.accept(b);
        devices.add(b.build(at));
        return this;
    }

    public VmBuilder numPciSegments(int count) {
        this.numPciSegments = count;
        return set("numPciSegments");
    }

    public VmBuilder pciSegment(int id, int mmio32Weight, int mmio64Weight) {
        segments.add(new PciSegmentSpec(id, mmio32Weight, mmio64Weight, Optional.ofNullable(at)));
        return this;
    }

    public VmBuilder before(LifecycleStep step, HookSpec.Hook hook) { return hook(step, HookSpec.When.BEFORE, hook); }

    public VmBuilder on(LifecycleStep step, HookSpec.Hook hook) { return hook(step, HookSpec.When.ON, hook); }

    public VmBuilder after(LifecycleStep step, HookSpec.Hook hook) { return hook(step, HookSpec.When.AFTER, hook); }

    /** Runs when the VM fails, at any step; {@link VmHandle#failure()} says why. */
    public VmBuilder onFailure(HookSpec.Hook hook) { return on(LifecycleStep.FAILED, hook); }

    private VmBuilder hook(LifecycleStep step, HookSpec.When when, HookSpec.Hook hook) {
        hooks.add(new HookSpec(step, when, hook, Optional.ofNullable(at)));
        return this;
    }

    public VmSpec build() {
        Boot b = boot;
        if (kernel != null) b = new Boot.LinuxKernel(kernel, Optional.ofNullable(initrd), cmdline);
        if (b == null) b = new Boot.BuiltinGuest(DEFAULT_GUEST);
        return new VmSpec(name, cpus, new MemorySpec(memory, hugepages, Optional.ofNullable(hugepageSize), prefault),
                b, serial, Optional.ofNullable(serialLog), console, disks, devices, numPciSegments, segments, hooks, origins);
    }
}
