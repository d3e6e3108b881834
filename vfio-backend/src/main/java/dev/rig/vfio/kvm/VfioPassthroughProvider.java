package dev.rig.vfio.kvm;

import dev.rig.engine.graph.GuestPciFunction;
import dev.rig.kvm.backend.PassthroughProvider;
import dev.rig.vfio.sys.NativeVfioSys;

import java.util.List;

/** The KVM backend's passthrough through VFIO (registered in META-INF/services). */
public final class VfioPassthroughProvider implements PassthroughProvider {
    @Override
    public Attached attach(Target target, List<GuestPciFunction.Passthrough> functions) {
        return VfioPassthrough.attach(NativeVfioSys.INSTANCE, target, functions);
    }
}
