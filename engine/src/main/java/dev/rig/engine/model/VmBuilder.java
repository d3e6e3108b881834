package dev.rig.engine.model;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The fluent Java API for a VM (the Groovy DSL is a thin adapter over it). Values are checked for form here;
 * whether the whole VM makes sense is checked by validation, which reports every problem at once.
 */
public final class VmBuilder {
    public static final String DEFAULT_GUEST = "hello";

    private String name;
    private int cpus = 1;
    private MemorySize memory = MemorySize.ofMiB(64);
    private Boot boot;
    private Serial serial = new Serial.Stdout();
    private Path kernel, initrd;
    private String cmdline = "";
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

    public VmSpec build() {
        Boot b = boot;
        if (kernel != null) b = new Boot.LinuxKernel(kernel, Optional.ofNullable(initrd), cmdline);
        if (b == null) b = new Boot.BuiltinGuest(DEFAULT_GUEST);
        return new VmSpec(name, cpus, memory, b, serial, origins);
    }
}
