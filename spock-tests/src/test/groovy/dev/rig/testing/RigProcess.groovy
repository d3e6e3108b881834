package dev.rig.testing

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/** Runs bin/rig (or anything) as a separate process and keeps what it printed and its exit status. */
class RigProcess {
    /** The project root: Surefire sets rig.home; a run from the IDE falls back to the parent folder. */
    static final Path HOME = Path.of(System.getProperty('rig.home', '..')).toAbsolutePath().normalize()
    static final Path RIG = HOME.resolve('bin/rig')

    final int exitCode
    final String out
    final String err

    private RigProcess(int exitCode, String out, String err) {
        this.exitCode = exitCode
        this.out = out
        this.err = err
    }

    static RigProcess rig(Object... args) { run([RIG.toString()] + args.collect { it.toString() }) }

    static RigProcess run(List<String> command, Map<String, String> env = [:], long timeoutSeconds = 120) {
        Path outFile = Files.createTempFile('rig-out', '.txt')
        Path errFile = Files.createTempFile('rig-err', '.txt')
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(HOME.toFile())
                    .redirectInput(new File('/dev/null')).redirectOutput(outFile.toFile()).redirectError(errFile.toFile())
            pb.environment().putAll(env)
            Process p = pb.start()
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly()
                throw new AssertionError("${command} did not finish in ${timeoutSeconds} s")
            }
            return new RigProcess(p.exitValue(), outFile.text, errFile.text)
        } finally {
            Files.deleteIfExists(outFile)
            Files.deleteIfExists(errFile)
        }
    }

    @Override
    String toString() { "exit ${exitCode}\n--- stdout\n${out}--- stderr\n${err}" }
}
