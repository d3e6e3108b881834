package dev.rig.cli

import dev.rig.testing.RigProcess
import spock.lang.Requires
import spock.lang.Specification

/**
 * bin/rig's choice of JIT. With one CPU the optimizing compiler could only run on time taken from the vCPUs, so
 * the JVM compiles with C1 alone; with more it keeps tiered compilation (README, Linux boot time).
 */
class LauncherSpec extends Specification {
    /** The JVM's CompilationMode as it prints its final flags, for bin/rig started under the given prefix. */
    private static String compilationMode(List<String> prefix) {
        def r = RigProcess.run(prefix + [RigProcess.RIG.toString(), '--version'], [RIG_JAVA_OPTS: '-XX:+PrintFlagsFinal'])
        assert r.exitCode == 0: r
        def flag = r.out.readLines().find { it =~ /\sCompilationMode\s/ }
        assert flag: r
        (flag =~ /=\s*(\S+)/)[0][1]
    }

    @Requires({ new File('/usr/bin/taskset').canExecute() })
    def "on one CPU the JVM compiles with C1 alone"() {
        expect:
        compilationMode(['/usr/bin/taskset', '-c', '0']) == 'quick-only'
    }

    @Requires({ Runtime.runtime.availableProcessors() > 1 })
    def "on more CPUs it keeps tiered compilation"() {
        expect:
        compilationMode([]) == 'default'
    }
}
