package dev.rig.kvm.backend;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompilerThreadPriorityTest {

    @Test
    void theOptimizingCompilerThreadsGetTheLowestPriorityAndNothingElseDoes() throws IOException {
        int before = nice("self");   // this thread's

        List<Integer> lowered = CompilerThreadPriority.lowerOptimizingCompiler();

        assertFalse(lowered.isEmpty(), "a tiered JVM has a C2 compiler thread");
        for (int tid : lowered) {
            assertTrue(comm(tid).startsWith("C2 CompilerThre"), comm(tid));
            assertEquals(CompilerThreadPriority.LOWEST, nice(Integer.toString(tid)), "nice of " + comm(tid));
        }
        assertEquals(before, nice("self"));
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                int tid = Integer.parseInt(task.getFileName().toString());
                if (!lowered.contains(tid) && comm(tid).startsWith("C1 CompilerThre"))
                    assertFalse(nice(Integer.toString(tid)) == CompilerThreadPriority.LOWEST, "C1 is left alone");
            }
        }
    }

    private static String comm(int tid) throws IOException {
        return Files.readString(Path.of("/proc/self/task/" + tid + "/comm")).strip();
    }

    /** Field 19 of stat(5); the fields after the parenthesised comm start at field 3. */
    private static int nice(String task) throws IOException {
        Path stat = task.equals("self") ? Path.of("/proc/thread-self/stat") : Path.of("/proc/self/task/" + task + "/stat");
        String s = Files.readString(stat);
        String[] fields = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[19 - 3]);
    }
}
