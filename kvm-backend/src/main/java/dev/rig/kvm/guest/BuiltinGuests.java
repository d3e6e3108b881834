package dev.rig.kvm.guest;

import dev.rig.kvm.asm.Condition;
import dev.rig.kvm.asm.Label;
import dev.rig.kvm.asm.Reg;
import dev.rig.kvm.asm.X86Assembler;
import dev.rig.kvm.devices.DebugExit;
import dev.rig.kvm.devices.MmioTestDevice;
import dev.rig.kvm.devices.Uart8250;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** The guests Rig ships: `hello` (the default) and `pio-loop` (the exit-rate benchmark's workload). */
public final class BuiltinGuests {
    public static final String HELLO_MESSAGE = "Hello from the Rig guest\n";
    /** The port the benchmark loop writes to: the PC's POST-code port, a no-op device. */
    public static final int BENCH_PORT = 0x80;
    /** Iterations of the `pio-loop` guest: about ten seconds of exits on a paravirtual KVM. */
    public static final int PIO_LOOP_ITERATIONS = 1_000_000;
    private static final int LSR = Uart8250.COM1 + 5, LSR_THRE = 0x20, LSR_DR = 0x01;
    private static final int MMIO_PATTERN = 0x52_49_47_21;  // "RIG!"

    private BuiltinGuests() {}

    public static final String ECHO_BANNER = "Rig echo guest ready\n";
    /** The byte that ends the echo guest. */
    public static final char ECHO_QUIT = '~';

    public static List<String> names() { return List.of("hello", "pio-loop", "echo"); }

    public static Optional<BuiltinGuest> find(String name) {
        return switch (name) {
            case "hello" -> Optional.of(hello());
            case "pio-loop" -> Optional.of(pioLoop(PIO_LOOP_ITERATIONS));
            case "echo" -> Optional.of(echo());
            default -> Optional.empty();
        };
    }

    /**
     * Prints {@link #HELLO_MESSAGE} on COM1 (polling LSR.THRE as a real driver does), writes a pattern to the
     * MMIO test device and reads it back, then leaves through the debug-exit port: 0 if the read-back matched,
     * 1 if not.
     */
    public static BuiltinGuest hello() {
        X86Assembler a = new X86Assembler();
        Label message = new Label("message"), fail = new Label("fail"), ap = new Label("ap");
        byte[] text = HELLO_MESSAGE.getBytes(StandardCharsets.US_ASCII);
        print(a, message, text.length);
        a.movImm64(Reg.RDI, MmioTestDevice.BASE).movImm32(Reg.RAX, MMIO_PATTERN)
                .store(Reg.RDI, 0, Reg.RAX, false).load(Reg.RBX, Reg.RDI, 0, false)
                .cmp(Reg.RBX, Reg.RAX).j(Condition.NE, fail);
        exit(a, 0);
        a.bind(fail);
        exit(a, 1);
        int apOffset = a.position();
        a.bind(ap).hlt().jmp(ap);
        a.bind(message).bytes(text);
        return new BuiltinGuest("hello", "prints a greeting, checks MMIO, exits 0", a.assemble(), apOffset);
    }

    /**
     * Prints {@link #ECHO_BANNER}, then echoes every byte received on COM1 (polling LSR.DR, as a polled driver
     * does) until it receives {@link #ECHO_QUIT}, then exits with 0. Exercises the UART's receive path.
     */
    public static BuiltinGuest echo() {
        X86Assembler a = new X86Assembler();
        Label banner = new Label("banner"), poll = new Label("poll"), quit = new Label("quit"), ap = new Label("ap");
        byte[] text = ECHO_BANNER.getBytes(StandardCharsets.US_ASCII);
        print(a, banner, text.length);
        a.bind(poll).movImm32(Reg.RDX, LSR).inAlDx().testAl(LSR_DR).j(Condition.Z, poll);
        a.movImm32(Reg.RDX, Uart8250.COM1).inAlDx().cmpAl(ECHO_QUIT).j(Condition.E, quit);
        // Echo at once: the byte just read is in AL and DX is COM1; one byte in, one out, so THR never backs up.
        a.outDxAl().jmp(poll);
        a.bind(quit);
        exit(a, 0);
        int apOffset = a.position();
        a.bind(ap).hlt().jmp(ap);
        a.bind(banner).bytes(text);
        return new BuiltinGuest("echo", "echoes what it receives on COM1 until '" + ECHO_QUIT + "'", a.assemble(), apOffset);
    }

    /** Prints `length` bytes at `text` on COM1, waiting for LSR.THRE before each (RSI, RCX, RDX, RAX clobbered). */
    private static void print(X86Assembler a, Label text, int length) {
        Label next = new Label("next"), waitThre = new Label("wait_thre");
        a.leaRip(Reg.RSI, text).movImm32(Reg.RCX, length);
        a.bind(next).movImm32(Reg.RDX, LSR);
        a.bind(waitThre).inAlDx().testAl(LSR_THRE).j(Condition.Z, waitThre);
        a.movImm32(Reg.RDX, Uart8250.COM1).loadByte(Reg.RAX, Reg.RSI, 0).outDxAl()
                .inc(Reg.RSI).dec(Reg.RCX).j(Condition.NZ, next);
    }

    /** Writes to {@link #BENCH_PORT} `iterations` times (one PIO exit each), then exits with 0. */
    public static BuiltinGuest pioLoop(int iterations) {
        X86Assembler a = new X86Assembler();
        Label loop = new Label("loop"), ap = new Label("ap");
        a.movImm32(Reg.RCX, iterations).movImm32(Reg.RDX, BENCH_PORT).movImm32(Reg.RAX, 0);
        a.bind(loop).outDxAl().dec(Reg.RCX).j(Condition.NZ, loop);
        exit(a, 0);
        int apOffset = a.position();
        a.bind(ap).hlt().jmp(ap);
        return new BuiltinGuest("pio-loop", "one PIO exit per iteration, " + iterations + " iterations",
                a.assemble(), apOffset);
    }

    private static void exit(X86Assembler a, int code) {
        a.movImm32(Reg.RDX, DebugExit.PORT).movImm32(Reg.RAX, code).outDxAl().hlt();
    }
}
