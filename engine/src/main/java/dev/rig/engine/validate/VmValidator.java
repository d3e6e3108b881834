package dev.rig.engine.validate;

import dev.rig.engine.alloc.GuestMemoryLayout;
import dev.rig.engine.model.Boot;
import dev.rig.engine.model.DeviceSpec;
import dev.rig.engine.model.DiskSpec;
import dev.rig.engine.model.MemorySize;
import dev.rig.engine.model.PciSegmentSpec;
import dev.rig.engine.model.Serial;
import dev.rig.engine.model.SourceRef;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.spi.Hypervisor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Checks a VM's own settings (not the host's devices) and returns every problem; changes nothing. */
public final class VmValidator {
    /** x86 xAPIC ids are 8 bits; more vCPUs need x2APIC, which Rig does not set up. */
    public static final int MAX_CPUS = 255;
    public static final long PAGE = 4096;
    /** 4 TiB: far beyond what a test rig needs, well within the 46-bit guest physical space. */
    public static final long MAX_MEMORY = 4L << 40;
    private static final List<Long> HUGEPAGE_SIZES = List.of(2L << 20, 1L << 30);

    private final Hypervisor hypervisor;

    public VmValidator(Hypervisor hypervisor) { this.hypervisor = hypervisor; }

    public List<Problem> validate(VmSpec vm) {
        List<Problem> problems = new ArrayList<>();
        Reporter report = (setting, message) -> problems.add(new Problem(setting, message, vm.origin(setting)));

        if (vm.name() == null || vm.name().isBlank()) report.add("name", "the VM needs a name");
        if (vm.cpus() < 1 || vm.cpus() > MAX_CPUS)
            report.add("cpus", "must be between 1 and " + MAX_CPUS + ", not " + vm.cpus());
        checkMemory(vm, report);
        checkBoot(vm, report);
        checkSerial(report, "serial", vm.serial());
        checkSerial(report, "console", vm.console());
        vm.serialLog().ifPresent(log -> checkLogFolder(report, "serialLog", "the serial log", log));
        checkSegments(vm, problems, report);
        checkDisks(vm, problems);
        checkLabels(vm, problems);
        return problems;
    }

    private void checkMemory(VmSpec vm, Reporter report) {
        MemorySize size = vm.memory().size();
        long mem = size.bytes();
        long min = hypervisor.minimumMemory(vm.boot());
        if (mem < min) report.add("memory", size + " is too small: this guest needs at least " + new MemorySize(min));
        else if (mem > MAX_MEMORY) report.add("memory", size + " is more than Rig supports (4 TiB)");
        else if (mem % PAGE != 0) report.add("memory", size + " is not a multiple of 4 KiB");
        vm.memory().hugepageSize().ifPresent(hp -> {
            if (!HUGEPAGE_SIZES.contains(hp.bytes()))
                report.add("hugepageSize", hp + " is not an x86 huge page size: use '2M' or '1G'");
            else if (mem % hp.bytes() != 0)
                report.add("memory", size + " is not a multiple of the " + hp + " huge page size");
        });
    }

    private void checkBoot(VmSpec vm, Reporter report) {
        switch (vm.boot()) {
            case Boot.BuiltinGuest g -> {
                if (!hypervisor.builtinGuests().contains(g.name()))
                    report.add("guest", "no built-in guest named '" + g.name() + "'; there are: "
                            + String.join(", ", hypervisor.builtinGuests()));
            }
            case Boot.LinuxKernel k -> {
                if (vm.origins().containsKey("guest"))
                    report.add("guest", "a VM runs either a built-in guest or a kernel, not both");
                checkReadable(report, "kernel", k.kernel());
                k.initrd().ifPresent(p -> checkReadable(report, "initrd", p));
            }
        }
        if (!(vm.boot() instanceof Boot.LinuxKernel) && vm.origins().containsKey("initrd"))
            report.add("initrd", "an initrd needs a kernel");
    }

    private static void checkSerial(Reporter report, String setting, Serial serial) {
        if (serial instanceof Serial.ToFile(Path path)) checkLogFolder(report, setting, "the " + setting + " log", path);
    }

    private static void checkLogFolder(Reporter report, String setting, String what, Path path) {
        Path dir = path.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir))
            report.add(setting, "cannot write " + what + " to " + path + ": folder " + dir + " does not exist");
    }

    private static void checkSegments(VmSpec vm, List<Problem> problems, Reporter report) {
        int n = vm.numPciSegments();
        if (n < 1 || n > GuestMemoryLayout.MAX_PCI_SEGMENTS) {
            report.add("numPciSegments", "must be between 1 and " + GuestMemoryLayout.MAX_PCI_SEGMENTS + ", not " + n);
            return;
        }
        Set<Integer> declared = new HashSet<>();
        for (PciSegmentSpec s : vm.pciSegments()) {
            String where = "pciSegment " + s.id();
            if (s.id() < 0 || s.id() >= n)
                problems.add(new Problem("pciSegment", where + " does not exist: platform numPciSegments is " + n
                        + " (segments 0.." + (n - 1) + ")", s.origin()));
            if (!declared.add(s.id()))
                problems.add(new Problem("pciSegment", where + " is declared twice", s.origin()));
            if (s.mmio32Weight() < 1 || s.mmio64Weight() < 1)
                problems.add(new Problem("pciSegment", where + ": weights must be at least 1 (mmio32Weight "
                        + s.mmio32Weight() + ", mmio64Weight " + s.mmio64Weight() + ")", s.origin()));
        }
        for (DeviceSpec d : vm.devices()) {
            if (d.pciSegment() < 0 || d.pciSegment() >= n)
                problems.add(new Problem("device", d.label() + ": pciSegment " + d.pciSegment()
                        + " does not exist: platform numPciSegments is " + n, d.origin()));
        }
    }

    private static void checkDisks(VmSpec vm, List<Problem> problems) {
        for (DiskSpec d : vm.disks()) {
            Path p = d.path();
            String problem = !Files.isRegularFile(p) ? p + " does not exist or is not a file"
                    : !Files.isReadable(p) ? p + " is not readable"
                    : !d.readonly() && !Files.isWritable(p) ? p + " is not writable (add readonly: true to use it read-only)"
                    : null;
            if (problem != null) problems.add(new Problem("disk", problem, d.origin()));
        }
    }

    /** Ids name devices in plans, hooks and errors, so two things must not share one. */
    private static void checkLabels(VmSpec vm, List<Problem> problems) {
        Map<String, Optional<SourceRef>> seen = new HashMap<>();
        List<Map.Entry<String, Optional<SourceRef>>> labels = new ArrayList<>();
        vm.disks().forEach(d -> labels.add(Map.entry(d.label(), d.origin())));
        vm.devices().forEach(d -> labels.add(Map.entry(d.label(), d.origin())));
        for (var e : labels) {
            Optional<SourceRef> first = seen.putIfAbsent(e.getKey(), e.getValue());
            if (first != null)
                problems.add(new Problem("id", "'" + e.getKey() + "' names two devices" + first.map(o -> " (the other is at "
                        + o + ")").orElse("") + "; give them distinct ids (id: 'name')", e.getValue()));
        }
    }

    private static void checkReadable(Reporter report, String setting, Path file) {
        if (!Files.isRegularFile(file)) report.add(setting, file + " does not exist or is not a file");
        else if (!Files.isReadable(file)) report.add(setting, file + " is not readable");
    }

    @FunctionalInterface
    private interface Reporter {
        void add(String setting, String message);
    }
}
