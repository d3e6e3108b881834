package dev.rig.kvm.backend;

import dev.rig.engine.alloc.GuestMemoryLayout;
import dev.rig.engine.model.Boot;
import dev.rig.engine.spi.Machine;
import dev.rig.engine.spi.RunOutcome;
import dev.rig.engine.spi.RunStats;
import dev.rig.engine.spi.SerialPort;
import dev.rig.engine.model.Serial;
import dev.rig.engine.spi.VmPlan;
import dev.rig.kvm.Cpuid;
import dev.rig.kvm.GuestAddress;
import dev.rig.kvm.GuestMemory;
import dev.rig.kvm.Kvm;
import dev.rig.kvm.KvmException;
import dev.rig.kvm.Vcpu;
import dev.rig.kvm.Vm;
import dev.rig.kvm.Irqchip;
import dev.rig.kvm.IrqFd;
import dev.rig.kvm.boot.LinuxBoot;
import dev.rig.kvm.devices.I8042;
import dev.rig.kvm.devices.Bus;
import dev.rig.kvm.devices.BusDevice;
import dev.rig.kvm.devices.DebugExit;
import dev.rig.kvm.devices.InterruptLine;
import dev.rig.kvm.devices.MmioTestDevice;
import dev.rig.kvm.devices.Uart8250;
import dev.rig.kvm.guest.BuiltinGuest;
import dev.rig.kvm.guest.BuiltinGuests;
import dev.rig.kvm.x86.LongMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ObjIntConsumer;

/**
 * A VM on KVM: owns the Kvm, Vm, guest memory, devices and vCPU threads. Built completely by {@link #create}
 * or not at all; {@link #close()} releases everything in reverse order, once.
 */
final class KvmMachine implements Machine {
    private static final Logger log = LoggerFactory.getLogger(KvmMachine.class);
    private static final BusDevice IGNORED = new BusDevice() {
        public long read(long offset, int size) { return 0; }

        public void write(long offset, int size, long value) { }
    };

    private final VmPlan plan;
    private final List<AutoCloseable> resources = new ArrayList<>();  // closed in reverse
    private final Bus pio = new Bus("pio"), mmio = new Bus("mmio");
    private Kvm kvm;
    private Vm vm;
    private GuestMemory memory;
    private SerialTap serial;
    private Uart8250 uart;
    private volatile RunOutcome outcome;  // the first way the run ended wins
    private volatile boolean stopping;
    private final AtomicInteger running = new AtomicInteger();
    private List<VcpuLoop> loops = List.of();
    private final List<Thread> threads = new ArrayList<>();
    private boolean closed;

    private KvmMachine(VmPlan plan) { this.plan = plan; }

    static KvmMachine create(java.nio.file.Path device, VmPlan plan) {
        KvmMachine m = new KvmMachine(plan);
        try {
            m.build(device);
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private void build(java.nio.file.Path device) {
        kvm = own(Kvm.open(device));
        int max = kvm.maxVcpus();
        if (plan.spec().cpus() > max)
            throw new KvmException("cpus " + plan.spec().cpus() + " is more than this host's KVM allows (" + max + ")");
        memory = own(GuestMemory.anonymous(plan.ram().stream()
                .map(r -> new GuestMemory.Range(GuestAddress.of(r.start()), r.size())).toList()));
        vm = own(kvm.createVm());  // closed before the memory it maps (resources close in reverse)
        vm.setTssAddress(GuestMemoryLayout.KVM_TSS_START);  // where the plan reserved it
        vm.mapGuestMemory(memory, 0);

        // A kernel gets the in-kernel PIC/IOAPIC/LAPICs and PIT; the built-in guests poll, so they need none.
        boolean linux = plan.spec().boot() instanceof Boot.LinuxKernel;
        InterruptLine com1Irq = InterruptLine.NONE;
        Irqchip chip = null;
        if (linux) {
            vm.setIdentityMapAddress(GuestMemoryLayout.KVM_TSS_START + 3 * 4096);
            chip = vm.createIrqchip();
            vm.createPit();
            IrqFd com1 = chip.irqfd(Uart8250.COM1_IRQ);
            com1Irq = asserted -> { if (asserted) com1.signal(); };  // ISA IRQs are edge-triggered
        }
        serial = own(new SerialTap(SerialOutputs.open(plan.spec().serial()),
                plan.spec().serialLog().map(SerialOutputs::appendTo).orElse(null)));
        uart = new Uart8250(serial, com1Irq);
        serial.attach(uart);
        if (plan.spec().serial() instanceof Serial.Tty) SerialOutputs.forwardStdin(serial);
        pio.register(Uart8250.COM1, Uart8250.PORTS, "com1", uart);
        pio.register(DebugExit.PORT, 1, "debug-exit", new DebugExit(this::guestExit));
        pio.register(BuiltinGuests.BENCH_PORT, 1, "post-code", IGNORED);
        pio.register(I8042.BASE, I8042.PORTS, "i8042",
                new I8042(() -> finish(new RunOutcome.Rebooted("keyboard controller reset", RunStats.NONE))));
        mmio.register(MmioTestDevice.BASE, MmioTestDevice.SIZE, "mmio-test", new MmioTestDevice());

        Cpuid cpuid = kvm.supportedCpuid();
        // Each boot kind loads its guest and says where each vCPU starts; the vCPUs are made the same way.
        ObjIntConsumer<Vcpu> start = switch (plan.spec().boot()) {
            case Boot.BuiltinGuest(String name) -> {
                BuiltinGuest guest = BuiltinGuests.find(name).orElseThrow(() -> new KvmException("no built-in guest " + name));
                LongMode.writeTables(memory);
                memory.write(GuestAddress.of(BuiltinGuest.LOAD_ADDRESS), guest.image());
                yield (vcpu, i) -> LongMode.enter(vcpu, BuiltinGuest.LOAD_ADDRESS + (i == 0 ? 0 : guest.apEntryOffset()),
                        BuiltinGuest.STACK_TOP, 0);
            }
            case Boot.LinuxKernel k -> {
                long rsdp = PlatformDevices.install(plan.graph(), plan.spec().cpus(), memory, pio, mmio, vm, chip,
                        () -> finish(new RunOutcome.PoweredOff(RunStats.NONE)),
                        () -> finish(new RunOutcome.Rebooted("ACPI reset register", RunStats.NONE)),
                        () -> finish(new RunOutcome.Panicked("pvpanic", RunStats.NONE)), this::own);
                KernelLoading.load(memory, k, plan.graph().memory(), rsdp);
                // Only the boot vCPU starts in long mode; with the irqchip the others wait for INIT/SIPI.
                yield (vcpu, i) -> {
                    if (i == 0) LongMode.enter(vcpu, LinuxBoot.entry(), LinuxBoot.STACK_TOP, LinuxBoot.BOOT_PARAMS);
                };
            }
        };
        for (int i = 0; i < plan.spec().cpus(); i++) {
            Vcpu vcpu = vm.createVcpu(i);
            vcpu.setCpuid(cpuid.forVcpu(i));
            start.accept(vcpu, i);
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public synchronized void start() {
        if (!threads.isEmpty()) throw new IllegalStateException("the VM was started already");
        List<Vcpu> vcpus = vm.vcpus();
        loops = vcpus.stream().map(v -> new VcpuLoop(v, pio, mmio, this)).toList();
        running.set(vcpus.size());
        CompilerThreadPriority.lowerOptimizingCompiler();
        for (int i = 0; i < vcpus.size(); i++)
            threads.add(Thread.ofPlatform().name(plan.spec().name() + "-vcpu-" + i).start(loops.get(i)));
    }

    @Override
    public RunOutcome awaitOutcome() {
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                requestStop();
                Thread.currentThread().interrupt();
            }
        }
        uart.flush();
        java.util.Map<String, Long> byDevice = new java.util.TreeMap<>(pio.accessCounts());
        mmio.accessCounts().forEach((id, n) -> byDevice.merge(id, n, Long::sum));
        RunStats stats = loops.stream().map(VcpuLoop::stats).reduce(RunStats.NONE, RunStats::plus)
                .withExitsByDevice(byDevice);
        RunOutcome o = outcome;
        return o == null ? new RunOutcome.Halted(stats) : o.withStats(stats);
    }

    @Override
    public SerialPort serial() { return serial; }

    boolean isStopping() { return stopping; }

    Kvm kvm() { return kvm; }

    private void guestExit(int code) { finish(new RunOutcome.GuestExit(code, RunStats.NONE)); }

    void vcpuHalted(Vcpu vcpu) {
        log.debug("{} halted", vcpu);
        // Without an irqchip nothing can wake a halted vCPU; the run ends when none is left running.
        if (running.decrementAndGet() == 0) finish(new RunOutcome.Halted(RunStats.NONE));
    }

    void shutdown(String reason) { finish(new RunOutcome.Shutdown(reason, RunStats.NONE)); }

    void fail(String reason, Throwable cause) {
        if (cause != null) log.debug("vCPU failure", cause);
        finish(new RunOutcome.Failed(reason, RunStats.NONE));
    }

    @Override
    public void requestStop() { finish(new RunOutcome.Stopped(RunStats.NONE)); }

    private synchronized void finish(RunOutcome o) {
        if (outcome == null) {
            outcome = o;
            if (serial != null) serial.ended(o.describe());
        }
        if (stopping) return;
        stopping = true;
        if (vm != null) for (Vcpu v : vm.vcpus()) v.kick();
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        RuntimeException first = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (IOException e) {
                if (first == null) first = new java.io.UncheckedIOException(e);
            } catch (Exception e) {
                if (first == null) first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
        }
        resources.clear();
        if (first != null) throw first;
    }
}
