package dev.rig.kvm.backend;

import dev.rig.sys.Libc;
import dev.rig.sys.SyscallException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Puts the JVM's optimizing compiler (C2) behind the vCPUs. Where the host has fewer free CPUs than the VM has
 * vCPUs, C2 compiling Rig's exit path takes CPU time from the guest; a Linux boot on one CPU spent twice QEMU's
 * time for that reason. At the lowest nice value C2 runs when a CPU would otherwise idle (a guest's HLT, a
 * spare core), and the quick C1 compiler, left as it is, keeps the exit path compiled meanwhile. Lowering a
 * thread's own process's priority needs no privilege; Linux keeps the nice value per thread.
 */
public final class CompilerThreadPriority {
    private static final Logger log = LoggerFactory.getLogger(CompilerThreadPriority.class);
    /** A thread's comm is cut to 15 bytes: HotSpot's "C2 CompilerThread0" reads like this. */
    static final String C2_THREAD_PREFIX = "C2 CompilerThre";
    static final int LOWEST = 19;

    private CompilerThreadPriority() {}

    /**
     * Gives every C2 compiler thread of this JVM the lowest priority; returns their thread ids. Best effort:
     * a host without /proc or a refused call leaves the JIT as it was, which costs speed only.
     */
    public static List<Integer> lowerOptimizingCompiler() {
        List<Integer> lowered = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                if (!isC2(task)) continue;
                int tid = Integer.parseInt(task.getFileName().toString());
                Libc.setpriority(Libc.PRIO_PROCESS, tid, LOWEST);
                lowered.add(tid);
            }
        } catch (IOException | SyscallException | NumberFormatException e) {
            log.debug("left the JIT compiler threads' priority as it was: {}", e.getMessage());
        }
        log.debug("C2 compiler threads at nice {}: {}", LOWEST, lowered);
        return lowered;
    }

    private static boolean isC2(Path task) {
        try {
            return Files.readString(task.resolve("comm")).startsWith(C2_THREAD_PREFIX);
        } catch (IOException gone) {
            return false;   // the thread ended while we looked
        }
    }
}
