package dev.rig.kvm.backend;

import dev.rig.kvm.testing.RequiresKvm;
import dev.rig.engine.Rig;
import dev.rig.engine.spi.Machine;
import dev.rig.engine.spi.RunOutcome;
import dev.rig.kvm.guest.BuiltinGuests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real guests on this machine's /dev/kvm, through the engine's API and the KVM backend. */
@RequiresKvm
class KvmMachineTest {
    private final Rig rig = new Rig(new KvmHypervisor());

    @Test
    void helloGuestPrintsOnTheUartChecksMmioAndExitsZero(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("serial.log");
        RunOutcome o = rig.run(Rig.vm("hello").memory("64M").serial(log.toString()).build());
        assertEquals(new RunOutcome.GuestExit(0, o.stats()), o);
        assertEquals(BuiltinGuests.HELLO_MESSAGE, Files.readString(log));
        // Every character: one LSR poll (IN) and one THR write (OUT); then the debug-exit OUT.
        assertEquals(2L * BuiltinGuests.HELLO_MESSAGE.length() + 1, o.stats().pioExits());
        assertEquals(2, o.stats().mmioExits(), "the MMIO test device's write and read-back");
    }

    @Test
    void secondaryVcpusHaltWhileTheBootVcpuRunsTheGuest(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("serial.log");
        RunOutcome o = rig.run(Rig.vm("smp").cpus(4).memory("64M").serial(log.toString()).build());
        assertInstanceOf(RunOutcome.GuestExit.class, o);
        assertEquals(0, o.exitStatus());
        assertEquals(BuiltinGuests.HELLO_MESSAGE, Files.readString(log));
    }

    @Test
    void runsTheExitLoopGuestToTheEnd() {
        RunOutcome o = rig.run(Rig.vm("loop").guest("pio-loop").serial("off").build());
        assertEquals(0, o.exitStatus());
        assertEquals(BuiltinGuests.PIO_LOOP_ITERATIONS + 1, o.stats().pioExits());
    }

    @Test
    void requestStopEndsARunFromAnotherThread() throws Exception {
        try (Machine m = rig.hypervisor().create(rig.plan(Rig.vm("stop").guest("pio-loop").serial("off").build()))) {
            Thread stopper = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ignored) {
                }
                m.requestStop();
            });
            RunOutcome o = m.run();
            stopper.join();
            assertInstanceOf(RunOutcome.Stopped.class, o);
            assertTrue(o.stats().pioExits() < BuiltinGuests.PIO_LOOP_ITERATIONS, "stopped before the loop ended");
        }
    }
}
