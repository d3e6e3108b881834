package dev.rig.kvm.asm;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Encodings checked against the Intel SDM forms, and against GNU objdump's disassembly where it is installed. */
class X86AssemblerTest {
    private static byte[] hex(String s) { return HexFormat.of().parseHex(s.replace(" ", "")); }

    @Test
    void encodesEachFormAsTheSdmSays() {
        assertArrayEquals(hex("b9 19000000"), new X86Assembler().movImm32(Reg.RCX, 0x19).assemble());
        assertArrayEquals(hex("41b8 78563412"), new X86Assembler().movImm32(Reg.R8, 0x12345678).assemble());
        assertArrayEquals(hex("48bf 000000d000000000"), new X86Assembler().movImm64(Reg.RDI, 0xd000_0000L).assemble());
        assertArrayEquals(hex("89 87 00000000"), new X86Assembler().store(Reg.RDI, 0, Reg.RAX, false).assemble());
        assertArrayEquals(hex("8b 9f 00000000"), new X86Assembler().load(Reg.RBX, Reg.RDI, 0, false).assemble());
        assertArrayEquals(hex("4c 89 8c24 08000000"), new X86Assembler().store(Reg.RSP, 8, Reg.R9, true).assemble());
        assertArrayEquals(hex("0fb6 86 00000000"), new X86Assembler().loadByte(Reg.RAX, Reg.RSI, 0).assemble());
        assertArrayEquals(hex("39 c3"), new X86Assembler().cmp(Reg.RBX, Reg.RAX).assemble());
        assertArrayEquals(hex("48ffc6"), new X86Assembler().inc(Reg.RSI).assemble());
        assertArrayEquals(hex("ffc9"), new X86Assembler().dec(Reg.RCX).assemble());
        assertArrayEquals(hex("41ffc9"), new X86Assembler().dec(Reg.R9).assemble());
        assertArrayEquals(hex("a820"), new X86Assembler().testAl(0x20).assemble());
        assertArrayEquals(hex("ee ef ec f4"), new X86Assembler().outDxAl().outDxEax().inAlDx().hlt().assemble());
    }

    @Test
    void resolvesBackwardAndForwardLabels() {
        X86Assembler a = new X86Assembler();
        Label top = new Label("top"), end = new Label("end"), data = new Label("data");
        a.bind(top).leaRip(Reg.RSI, data).j(Condition.NZ, top).jmp(end).bind(end).bind(data).bytes(new byte[]{0x42});
        // lea: 7 bytes, data at 7+6+5=18 -> rel = 18-7 = 11; jnz at 7 ends at 13 -> rel -13; jmp ends at 18 -> 0
        assertArrayEquals(hex("488d35 0b000000 0f85 f3ffffff e9 00000000 42"), a.assemble());
    }

    @Test
    void anUnboundLabelIsAnError() {
        X86Assembler a = new X86Assembler().jmp(new Label("nowhere"));
        assertThrows(IllegalStateException.class, a::assemble);
    }

    @Test
    void objdumpDisassemblesTheHelloGuestAsIntended() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/objdump")), "binutils' objdump is not installed");
        byte[] code = dev.rig.kvm.guest.BuiltinGuests.hello().image();
        Path bin = Files.createTempFile("hello", ".bin");
        try {
            Files.write(bin, code);
            Process p = new ProcessBuilder("objdump", "-D", "-b", "binary", "-m", "i386:x86-64", "-M", "intel",
                    bin.toString()).redirectErrorStream(true).start();
            String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor());
            List<String> mnemonics = listing.lines().filter(l -> l.matches("\\s+[0-9a-f]+:\\t.*\\t.*"))
                    .map(l -> l.split("\\t")[2].trim().replaceAll("\\s+", " ")).limit(22).toList();
            assertEquals(List.of(
                    "lea rsi,[rip+0x6c] # 0x73",
                    "mov ecx,0x19",
                    "mov edx,0x3fd",            // 0x0c: next character
                    "in al,dx",                 // 0x11: poll LSR until THRE
                    "test al,0x20",
                    "je 0x11",
                    "mov edx,0x3f8",
                    "movzx eax,BYTE PTR [rsi+0x0]",
                    "out dx,al",
                    "inc rsi",
                    "dec ecx",
                    "jne 0xc",
                    "movabs rdi,0xd0000000",
                    "mov eax,0x52494721",
                    "mov DWORD PTR [rdi+0x0],eax",
                    "mov ebx,DWORD PTR [rdi+0x0]",
                    "cmp ebx,eax",
                    "jne 0x61",                 // read-back mismatch: exit 1
                    "mov edx,0x501",
                    "mov eax,0x0",
                    "out dx,al",
                    "hlt"), mnemonics);
        } finally {
            Files.delete(bin);
        }
    }
}
