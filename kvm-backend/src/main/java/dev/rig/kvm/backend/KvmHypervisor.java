package dev.rig.kvm.backend;

import dev.rig.engine.model.Boot;
import dev.rig.engine.model.DeviceSpec;
import dev.rig.engine.model.DiskSpec;
import dev.rig.engine.model.Serial;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.validate.Problem;
import dev.rig.engine.spi.Hypervisor;
import dev.rig.engine.spi.Machine;
import dev.rig.engine.spi.VmPlan;
import dev.rig.kvm.Kvm;
import dev.rig.kvm.guest.BuiltinGuest;
import dev.rig.kvm.guest.BuiltinGuests;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The KVM backend: realizes plans on /dev/kvm (or the device named by the rig.kvm.device property). */
public final class KvmHypervisor implements Hypervisor {
    private final Path device;

    public KvmHypervisor() { this(Path.of(System.getProperty("rig.kvm.device", Kvm.DEFAULT_DEVICE.toString()))); }

    public KvmHypervisor(Path device) { this.device = device; }

    @Override
    public String name() { return "kvm"; }

    @Override
    public List<String> builtinGuests() { return BuiltinGuests.names(); }

    @Override
    public long minimumMemory(Boot boot) {
        return switch (boot) {
            case Boot.BuiltinGuest g -> BuiltinGuest.MIN_MEMORY;
            case Boot.LinuxKernel k -> 64L << 20;  // a distribution kernel decompresses into tens of MiB
        };
    }

    /** Settings that validate and plan but that this backend does not realize yet. */
    @Override
    public List<Problem> unsupported(VmSpec vm) {
        List<Problem> out = new ArrayList<>();
        if (!(vm.boot() instanceof Boot.LinuxKernel))
            for (DiskSpec d : vm.disks())
                out.add(new Problem("disk", d.label() + ": disks are for Linux guests; the built-in guests have no "
                        + "virtio driver", d.origin()));
        for (DeviceSpec d : vm.devices()) {
            if (!(vm.boot() instanceof Boot.LinuxKernel))
                out.add(new Problem("device", d.label() + ": passed-through devices are for Linux guests; the built-in "
                        + "guests have no drivers", d.origin()));
            else if (d.pciSegment() != 0)
                out.add(new Problem("device", d.label() + ": the kvm backend passes devices through on PCI segment 0 "
                        + "only for now", d.origin()));
            else if (PassthroughProvider.find().isEmpty())
                out.add(new Problem("device", d.label() + ": passthrough needs rig-vfio-backend on the class path",
                        d.origin()));
        }
        if (!(vm.console() instanceof Serial.Off))
            out.add(new Problem("console", "the kvm backend has no virtio console yet", vm.origin("console")));
        if (vm.memory().hugepages())
            out.add(new Problem("hugepages", "the kvm backend does not back RAM with huge pages yet", vm.origin("hugepages")));
        return out;
    }

    @Override
    public Machine create(VmPlan plan) { return KvmMachine.create(device, plan); }
}
