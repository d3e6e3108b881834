package dev.rig.engine.validate;

import dev.rig.engine.model.Boot;
import dev.rig.engine.model.Serial;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.spi.Hypervisor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Checks a whole VM and returns every problem; reads files' existence but changes nothing. */
public final class VmValidator {
    /** x86 xAPIC ids are 8 bits; more vCPUs need x2APIC, which Rig does not set up. */
    public static final int MAX_CPUS = 255;
    public static final long PAGE = 4096;
    /** 4 TiB: far beyond what a test rig needs, well within the 46-bit guest physical space. */
    public static final long MAX_MEMORY = 4L << 40;

    private final Hypervisor hypervisor;

    public VmValidator(Hypervisor hypervisor) { this.hypervisor = hypervisor; }

    public List<Problem> validate(VmSpec vm) {
        List<Problem> problems = new ArrayList<>();
        Reporter report = (setting, message) -> problems.add(new Problem(setting, message, vm.origin(setting)));

        if (vm.name() == null || vm.name().isBlank()) report.add("name", "the VM needs a name");
        if (vm.cpus() < 1 || vm.cpus() > MAX_CPUS)
            report.add("cpus", "must be between 1 and " + MAX_CPUS + ", not " + vm.cpus());

        long mem = vm.memory().bytes();
        long min = hypervisor.minimumMemory(vm.boot());
        if (mem < min) report.add("memory", vm.memory() + " is too small: this guest needs at least "
                + new dev.rig.engine.model.MemorySize(min));
        else if (mem > MAX_MEMORY) report.add("memory", vm.memory() + " is more than Rig supports (4 TiB)");
        else if (mem % PAGE != 0) report.add("memory", vm.memory() + " is not a multiple of 4 KiB");

        switch (vm.boot()) {
            case Boot.BuiltinGuest g -> {
                if (!hypervisor.builtinGuests().contains(g.name()))
                    report.add("guest", "no built-in guest named '" + g.name() + "'; there are: "
                            + String.join(", ", hypervisor.builtinGuests()));
                if (vm.origins().containsKey("kernel"))
                    report.add("kernel", "a VM runs either a built-in guest or a kernel, not both");
            }
            case Boot.LinuxKernel k -> {
                checkReadable(report, "kernel", k.kernel());
                k.initrd().ifPresent(p -> checkReadable(report, "initrd", p));
                if (!hypervisor.supportsLinuxBoot())
                    report.add("kernel", "the " + hypervisor.name() + " backend cannot boot a Linux kernel yet");
            }
        }

        if (vm.serial() instanceof Serial.ToFile(Path path)) {
            Path dir = path.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir))
                report.add("serial", "cannot write the serial log to " + path + ": folder " + dir + " does not exist");
        }
        return problems;
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
