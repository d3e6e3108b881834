package dev.rig.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * rig shell [FILE...]: JShell with Rig on the class path and its API imported. Runs in this JVM's JDK with local
 * execution, so guest serial output reaches the terminal and FFM has native access.
 */
@Command(name = "shell", description = "Open JShell with Rig's Java API imported (rig shell examples/hello.jsh runs a session script).")
final class ShellCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "0..*", description = "JShell scripts to load first.")
    List<Path> files = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
        if (!Files.isExecutable(jshell))
            throw new IllegalStateException("no jshell next to this JDK (" + jshell + "); Rig needs a full JDK 25");
        Path startup = Files.createTempFile("rig-startup", ".jsh");
        try {
            try (InputStream in = ShellCommand.class.getResourceAsStream("rig-startup.jsh")) {
                Files.copy(in, startup, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            List<String> cmd = new ArrayList<>(List.of(jshell.toString(),
                    "--class-path", System.getProperty("java.class.path"),
                    "--execution", "local", "-J--enable-native-access=ALL-UNNAMED",
                    "-J-Drig.home=" + System.getProperty("rig.home", "."),
                    "--startup", "DEFAULT", "--startup", startup.toString()));
            files.forEach(f -> cmd.add(f.toString()));
            return new ProcessBuilder(cmd).inheritIO().start().waitFor();
        } finally {
            Files.deleteIfExists(startup);
        }
    }
}
