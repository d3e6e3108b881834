package dev.rig.testing

import dev.rig.cli.host.HostCommand
import dev.rig.engine.hostprep.BindJournal
import dev.rig.engine.hostprep.DriverBinder
import dev.rig.engine.hostprep.HostPaths
import picocli.CommandLine

import java.nio.file.Files
import java.nio.file.Path

/**
 * A whole fake host under one directory, laid out as {@link HostPaths#under}: sys/ (a {@link FakeSysfs} with a
 * {@link FakeKernel} behind it), dev/, proc/ (status, limits, meminfo, cmdline, cpuinfo, mountinfo, swaps),
 * lib/modules/ and state/ for the journal.
 *
 * <pre>
 * def host = FakeHost.of(tmp) { SeedHosts.gt710(it) }
 * host.loadVfio()                       // vfio-pci loaded, /dev/vfio/vfio present
 * host.binder().bind(...)               // engine code against the fake tree
 * host.rig('bind', '01:00.0')           // the rig host command, in process
 * </pre>
 */
class FakeHost {
    final Path root
    final FakeSysfs sys
    final FakeKernel kernel
    final HostPaths paths
    final Path stateDir

    private FakeHost(Path root, FakeSysfs sys) {
        this.root = root
        this.sys = sys
        this.paths = HostPaths.under(root)
        this.stateDir = root.resolve('state')
        Files.createDirectories(paths.dev())
        Files.createDirectories(paths.modules())
        Path proc = Files.createDirectories(paths.proc().resolve('self')).parent
        proc.resolve('self/status').text = 'Name:\tjava\nUid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\n'
        limits(8 * FakeSysfs.MiB, 8 * FakeSysfs.MiB)
        proc.resolve('meminfo').text = 'MemTotal:       16303428 kB\nHugePages_Total:       0\nHugePages_Free:        0\n' +
                'Hugepagesize:       2048 kB\n'
        proc.resolve('cmdline').text = 'BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 ro quiet\n'
        proc.resolve('cpuinfo').text = 'processor\t: 0\nvendor_id\t: GenuineIntel\n'
        proc.resolve('self/mountinfo').text = ''
        proc.resolve('swaps').text = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n'
        this.kernel = new FakeKernel(sys, paths.dev())
    }

    /** {@code build} gets the sys/ directory and returns the FakeSysfs it made there. */
    static FakeHost of(Path root, Closure<FakeSysfs> build) {
        new FakeHost(root, build(root.resolve('sys')))
    }

    /** vfio-pci loaded (its driver directory) and /dev/vfio/vfio present. */
    FakeHost loadVfio() {
        sys.driverDir('vfio-pci')
        Files.createDirectories(paths.dev().resolve('vfio'))
        if (!Files.exists(paths.dev().resolve('vfio/vfio'))) {
            Files.createFile(paths.dev().resolve('vfio/vfio'))
        }
        this
    }

    /** RLIMIT_MEMLOCK as /proc/self/limits shows it; -1 is unlimited. */
    FakeHost limits(long soft, long hard) {
        def show = { long v -> v < 0 ? 'unlimited' : v.toString() }
        paths.proc().resolve('self/limits').text = 'Limit                     Soft Limit           Hard Limit           Units     \n' +
                String.format('Max locked memory         %-20s %-20s bytes     \n', show(soft), show(hard))
        this
    }

    /** A mount, as a /proc/self/mountinfo line. */
    FakeHost mount(String devNumbers, String mountPoint, String source, String fsType = 'ext4') {
        paths.proc().resolve('self/mountinfo') << "29 1 $devNumbers / $mountPoint rw,relatime shared:1 - $fsType $source rw\n"
        this
    }

    BindJournal journal() {
        new BindJournal(stateDir)
    }

    /** A binder as a new rig process would make it: fresh journal object over the same state directory. */
    DriverBinder binder() {
        new DriverBinder(paths, kernel, journal())
    }

    String driver(String bdf) {
        sys.driverOf(bdf)
    }

    String override(String bdf) {
        sys.dir(bdf).resolve('driver_override').text
    }

    /** Everything under the host's root except the journal's state directory. */
    Map<String, String> tree() {
        FakeSysfs.contents(root).findAll { !it.key.startsWith('state') }
    }

    /**
     * What changed in the tree since {@code before} (a {@link #tree()}): "+path", "-path" or "~path" per entry, so
     * that a failed comparison prints a short list, not two whole trees.
     */
    List<String> changesSince(Map<String, String> before) {
        Map<String, String> now = tree()
        List<String> changes = []
        (before.keySet() + now.keySet()).toSorted().each { String k ->
            if (!now.containsKey(k)) changes << "-$k".toString()
            else if (!before.containsKey(k)) changes << "+$k".toString()
            else if (now[k] != before[k]) changes << "~$k".toString()
        }
        changes
    }

    /** Runs {@code rig host <subcommand> ...} in this process against this host; Main's error format. */
    CliResult rig(String subcommand, Object... args) {
        def out = new StringWriter()
        def err = new StringWriter()
        def cli = new CommandLine(new HostCommand(kernel))
        cli.out = new PrintWriter(out)
        cli.err = new PrintWriter(err)
        cli.executionExceptionHandler = { Exception e, CommandLine c, CommandLine.ParseResult p ->
            (e.message ?: e.toString()).split('\n').each { c.err.println("rig: $it") }
            c.err.flush()
            1
        } as CommandLine.IExecutionExceptionHandler
        List<String> argv = [subcommand, '--sysfs', paths.sysfs(), '--dev', paths.dev(), '--proc', paths.proc(),
                             '--modules', paths.modules(), '--state-dir', stateDir]*.toString()
        argv.addAll(args*.toString())
        int code = cli.execute(argv as String[])
        new CliResult(code, out.toString(), err.toString())
    }

    static class CliResult {
        final int exitCode
        final String out
        final String err

        CliResult(int exitCode, String out, String err) {
            this.exitCode = exitCode
            this.out = out
            this.err = err
        }

        @Override
        String toString() { "exit $exitCode\n--- stdout\n$out--- stderr\n$err" }
    }
}
