package dev.rig.kvm.backend;

import dev.rig.engine.model.Boot;
import dev.rig.engine.spi.Hypervisor;
import dev.rig.engine.spi.Machine;
import dev.rig.engine.spi.VmPlan;
import dev.rig.kvm.Kvm;
import dev.rig.kvm.guest.BuiltinGuest;
import dev.rig.kvm.guest.BuiltinGuests;

import java.nio.file.Path;
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
            case Boot.LinuxKernel k -> 32L << 20;
        };
    }

    @Override
    public boolean supportsLinuxBoot() { return false; }

    @Override
    public Machine create(VmPlan plan) { return KvmMachine.create(device, plan); }
}
