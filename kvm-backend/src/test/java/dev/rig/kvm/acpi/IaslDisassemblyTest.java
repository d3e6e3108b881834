package dev.rig.kvm.acpi;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checks the tables with ACPICA's own tools: iasl -d disassembles each one the way the kernel's ACPICA
 * parses it, and the DSDT's disassembly must compile back without errors. Needs iasl (Debian package
 * acpica-tools); skipped without it.
 */
class IaslDisassemblyTest {
    private static Path iasl;

    @TempDir
    Path dir;

    @BeforeAll
    static void findIasl() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(d, "iasl");
            if (Files.isExecutable(p)) iasl = p;
        }
    }

    private static void requireIasl() {
        assumeTrue(iasl != null, "iasl not on PATH: install Debian's acpica-tools to check tables with ACPICA");
    }

    private record Run(int rc, String output) {}

    private Run iasl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(iasl.toString()));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "iasl finished");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Writes every SDT of the image to SIG.dat, disassembles it and returns SIG -> .dsl text. */
    private Map<String, String> disassembleAll() throws Exception {
        AcpiTables.Image image = AcpiTables.build(TestConfigs.twoVcpusTwoSegments());
        byte[] b = image.bytes();
        var dsl = new java.util.TreeMap<String, String>();
        for (AcpiTables.Placed t : image.tables()) {
            if (t.signature().equals("RSD PTR ")) continue;   // iasl -d takes no bare RSDP; AcpiTablesTest checks it
            int from = Math.toIntExact(t.address() - image.baseAddress());
            String base = t.signature().toLowerCase();
            Files.write(dir.resolve(base + ".dat"), Arrays.copyOfRange(b, from, from + t.length()));
            Run r = iasl("-d", base + ".dat");
            assertEquals(0, r.rc(), t.signature() + ": " + r.output());
            assertFalse(r.output().contains("Warning") || r.output().contains("Error"), r.output());
            String text = Files.readString(dir.resolve(base + ".dsl"));
            assertFalse(text.contains("Incorrect checksum"), t.signature() + " checksum");
            dsl.put(t.signature(), text);
        }
        return dsl;
    }

    @Test
    void everyTableDisassemblesWithoutWarnings() throws Exception {
        requireIasl();
        Map<String, String> dsl = disassembleAll();
        assertEquals(List.of("APIC", "DSDT", "FACP", "FACS", "MCFG", "XSDT"), List.copyOf(dsl.keySet()));
        String fadt = dsl.get("FACP");
        assertTrue(fadt.contains("SCI Interrupt : 0009"), fadt);
        assertTrue(fadt.contains("PM1A Control Block Address : 00000604"), fadt);
        assertTrue(fadt.contains("Hardware Reduced (V5) : 0"), fadt);
        assertTrue(fadt.contains("Reset Register Supported (V2) : 1"), fadt);
        assertTrue(fadt.contains("VGA Not Present (V4) : 1"), fadt);
        String madt = dsl.get("APIC");
        assertEquals(2, count(madt, "[Processor Local APIC]"));
        assertEquals(2, count(madt, "[Interrupt Source Override]"));
        assertTrue(madt.contains("[I/O APIC]") && madt.contains("PC-AT Compatibility : 1"), madt);
        assertTrue(dsl.get("MCFG").contains("Base Address : 00000000E0100000"), dsl.get("MCFG"));
    }

    @Test
    void dsdtDecompilesToTheExpectedObjectsAndCompilesBack() throws Exception {
        requireIasl();
        String dsdt = disassembleAll().get("DSDT");
        for (String expected : List.of(
                "Name (\\_S5, Package (0x04)", "Device (PCI0)", "Device (PCI1)",
                "Name (_HID, EisaId (\"PNP0A08\")", "Name (_CID, EisaId (\"PNP0A03\")", "Name (_SEG, One)",
                "WordBusNumber (ResourceProducer", "0x0CF8,             // Range Minimum",
                "WordIO (ResourceProducer", "0x1000,             // Range Minimum",
                "0xC0000000,         // Range Minimum", "0xCFFFFFFF,         // Range Maximum",
                "0x0000008000000000, // Range Minimum", "QWordMemory (ResourceProducer",
                "Name (_PRT, Package (0x03)", "0x0001FFFF",
                "Device (MRES)", "EisaId (\"PNP0C02\")", "0xE0000000,         // Address Base",
                "Device (COM1)", "EisaId (\"PNP0501\")", "0x03F8,             // Range Minimum", "IRQNoFlags ()",
                "Device (PEVT)", "Name (_HID, \"QEMU0001\")", "0x0505,             // Range Minimum"))
            assertTrue(dsdt.contains(expected), "missing " + expected + " in\n" + dsdt);

        Run compile = iasl("dsdt.dsl");
        assertEquals(0, compile.rc(), compile.output());
        assertTrue(compile.output().contains("0 Errors, 0 Warnings"), compile.output());
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
