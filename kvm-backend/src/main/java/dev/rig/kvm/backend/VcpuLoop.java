package dev.rig.kvm.backend;

import dev.rig.engine.spi.RunStats;
import dev.rig.kvm.CoalescedIo;
import dev.rig.kvm.Registers;
import dev.rig.kvm.Vcpu;
import dev.rig.kvm.VcpuExit;
import dev.rig.kvm.devices.Bus;

import java.lang.foreign.MemorySegment;

/**
 * One vCPU's thread: KVM_RUN, replay the writes KVM coalesced meanwhile, dispatch the exit to the buses, repeat
 * until the machine stops.
 */
final class VcpuLoop implements Runnable {
    private final Vcpu vcpu;
    private final Bus pio, mmio;
    private final KvmMachine machine;
    private long pioExits, mmioExits, otherExits, runNanos;

    VcpuLoop(Vcpu vcpu, Bus pio, Bus mmio, KvmMachine machine) {
        this.vcpu = vcpu;
        this.pio = pio;
        this.mmio = mmio;
        this.machine = machine;
    }

    RunStats stats() { return new RunStats(pioExits, mmioExits, otherExits, runNanos); }

    @Override
    public void run() {
        long start = System.nanoTime();
        vcpu.attachThread();
        CoalescedIo.Ring ring = null;
        try {
            ring = CoalescedIo.map(machine.kvm(), vcpu);
            CoalescedIo.Sink replay = (isPio, address, length, data) -> (isPio ? pio : mmio).write(address, data, length);
            while (!machine.isStopping()) {
                VcpuExit exit = vcpu.run();
                // Writes KVM queued (e.g. PCI config addresses) happened before this exit: replay them first.
                if (ring != null) ring.drain(pio, replay);
                if (!handle(exit)) break;
            }
        } catch (RuntimeException e) {
            machine.fail(vcpu + ": " + e.getMessage(), e);
        } finally {
            if (ring != null) ring.close();
            vcpu.detachThread();
            runNanos = System.nanoTime() - start;
        }
    }

    /** Handles one exit; false when this vCPU is done. */
    private boolean handle(VcpuExit exit) {
        switch (exit) {
            case VcpuExit.IoOut(int port, int size, int count, MemorySegment data) -> {
                pioExits++;
                for (int i = 0; i < count; i++) pio.write(port, count == 1 ? data : data.asSlice((long) i * size, size), size);
            }
            case VcpuExit.IoIn(int port, int size, int count, MemorySegment data) -> {
                pioExits++;
                for (int i = 0; i < count; i++) pio.read(port, count == 1 ? data : data.asSlice((long) i * size, size), size);
            }
            case VcpuExit.MmioWrite(long address, int length, MemorySegment data) -> {
                mmioExits++;
                mmio.write(address, data, length);
            }
            case VcpuExit.MmioRead(long address, int length, MemorySegment data) -> {
                mmioExits++;
                mmio.read(address, data, length);
            }
            case VcpuExit.Interrupted i -> otherExits++;  // the loop condition decides
            case VcpuExit.Halt h -> {
                otherExits++;
                machine.vcpuHalted(vcpu);
                return false;
            }
            case VcpuExit.Shutdown s -> {
                otherExits++;
                // No rip: on AMD, KVM resets the vCPU before it reports a shutdown, so it would read 0xfff0.
                machine.shutdown(vcpu + " shut down (triple fault, KVM_EXIT_SHUTDOWN)");
                return false;
            }
            case VcpuExit.SystemEvent(int type) -> {
                otherExits++;
                machine.shutdown(vcpu + " system event " + type);
                return false;
            }
            case VcpuExit.FailEntry(long reason, int cpu) -> {
                machine.fail(String.format("%s: KVM could not enter the guest (hardware reason 0x%x on cpu %d) at %s",
                        vcpu, reason, cpu, where()), null);
                return false;
            }
            case VcpuExit.InternalError(int suberror, long[] data) -> {
                machine.fail(String.format("%s: KVM internal error, suberror %d%s, at %s", vcpu, suberror,
                        suberror == 1 ? " (emulation failure)" : "", where()), null);
                return false;
            }
            case VcpuExit.Other(int reason) -> {
                machine.fail(vcpu + ": unhandled KVM exit reason " + reason + " at " + where(), null);
                return false;
            }
        }
        return true;
    }

    private String where() {
        try {
            return String.format("rip 0x%x", vcpu.registers().get(Registers.Reg.RIP));
        } catch (RuntimeException e) {
            return "an unknown rip";
        }
    }
}
