package dev.rig.vfio.kvm;

import dev.rig.engine.graph.GuestPciFunction;
import dev.rig.kvm.GuestMemory;
import dev.rig.kvm.Vm;
import dev.rig.kvm.acpi.AcpiConfig;
import dev.rig.kvm.backend.PassthroughProvider;
import dev.rig.vfio.VfioContainer;
import dev.rig.vfio.VfioDevice;
import dev.rig.vfio.VfioException;
import dev.rig.vfio.VfioGroup;
import dev.rig.vfio.VfioMemlock;
import dev.rig.vfio.sys.VfioSys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The passed-through functions of one VM and what they share: one VFIO container (one IOMMU address space) with
 * all guest RAM DMA-mapped at IOVA = guest physical address, each IOMMU group opened once and announced to the
 * KVM-VFIO device. Built completely or not at all; {@link #close} gives everything back in reverse order:
 * functions (interrupts off, BARs out of the guest, reset), devices (mmaps, fds), DMA mappings, groups, container.
 */
public final class VfioPassthrough implements PassthroughProvider.Attached {
    private static final Logger log = LoggerFactory.getLogger(VfioPassthrough.class);

    private final VfioSys sys;
    private VfioContainer container;
    private final java.util.function.Function<Vm, GroupFiles> groupFiles;
    private GroupFiles kvmVfio;
    private final List<PassthroughFunction> functions = new ArrayList<>();
    private final Map<String, Long> setupNanos = new LinkedHashMap<>();
    private boolean closed;

    private VfioPassthrough(VfioSys sys, java.util.function.Function<Vm, GroupFiles> groupFiles) {
        this.sys = sys;
        this.groupFiles = groupFiles;
    }

    static VfioPassthrough attach(VfioSys sys, PassthroughProvider.Target target, List<GuestPciFunction.Passthrough> plan) {
        return attach(sys, GroupFiles::kvm, target, plan);
    }

    static VfioPassthrough attach(VfioSys sys, java.util.function.Function<Vm, GroupFiles> groupFiles,
                                  PassthroughProvider.Target target, List<GuestPciFunction.Passthrough> plan) {
        return attach(sys, groupFiles, VfioMemlock.current(sys), target, plan);
    }

    static VfioPassthrough attach(VfioSys sys, java.util.function.Function<Vm, GroupFiles> groupFiles,
                                  VfioMemlock memlock, PassthroughProvider.Target target,
                                  List<GuestPciFunction.Passthrough> plan) {
        // Refuse before anything is opened or pinned, with the fix in the message (the ENOMEM users hit otherwise).
        memlock.require(target.memory().totalSize());
        VfioPassthrough p = new VfioPassthrough(sys, groupFiles);
        try {
            p.build(target, plan);
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private void build(PassthroughProvider.Target target, List<GuestPciFunction.Passthrough> plan) {
        GuestMemory memory = target.memory();
        long t = System.nanoTime();
        container = VfioContainer.open(sys);
        t = phase("container", t);
        kvmVfio = groupFiles.apply(target.vm());
        List<VfioDevice> devices = new ArrayList<>();
        for (GuestPciFunction.Passthrough f : plan) {
            int number = f.host().iommuGroup().orElseThrow(() -> new VfioException(f.label() + ": "
                    + f.host().address() + " has no IOMMU group; is the IOMMU on?"));
            boolean opened = container.groups().stream().anyMatch(g -> g.number() == number);
            VfioGroup group = container.group(number);
            if (!opened) kvmVfio.add(group.descriptor());
            devices.add(group.device(f.host().address().toString()));
        }
        t = phase("groups and devices", t);
        // Every region of guest RAM, before any vCPU runs: the device may DMA as soon as its driver starts it.
        for (GuestMemory.Region r : memory.regions()) container.mapDma(r.start().value(), r.host(), true, true);
        t = phase("DMA map " + (memory.totalSize() >> 20) + " MiB", t);
        for (int i = 0; i < plan.size(); i++) {
            PassthroughFunction fn = new PassthroughFunction(devices.get(i), plan.get(i), target);
            functions.add(fn);
            target.root().add(plan.get(i).guestAddress().device(), fn);
        }
        phase("config space, BARs, interrupts", t);
        log.debug("VFIO setup: {}", setupNanos);
    }

    private long phase(String name, long since) {
        long now = System.nanoTime();
        setupNanos.put(name, now - since);
        return now;
    }

    @Override
    public List<AcpiConfig.IntxRoute> intxRoutes() {
        return functions.stream().map(PassthroughFunction::intxRoute).flatMap(Optional::stream).toList();
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        RuntimeException first = null;
        for (int i = functions.size() - 1; i >= 0; i--) {
            try {
                functions.get(i).close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        functions.clear();
        if (kvmVfio != null && container != null) {
            for (VfioGroup g : container.groups()) {
                try {
                    kvmVfio.remove(g.descriptor());
                } catch (RuntimeException e) {
                    if (first == null) first = e;
                }
            }
        }
        if (kvmVfio != null) kvmVfio.close();
        if (container != null) {
            try {
                container.close();  // devices (their mmaps and fds), DMA mappings, groups, the container fd
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
