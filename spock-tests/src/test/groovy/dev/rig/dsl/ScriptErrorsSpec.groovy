package dev.rig.dsl

import dev.rig.engine.Rig
import dev.rig.engine.validate.ValidationException
import dev.rig.engine.host.SnapshotHostInventory
import dev.rig.kvm.backend.KvmHypervisor
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Path

/** Script problems name the file and line; every problem of a script is reported in one run. */
class ScriptErrorsSpec extends Specification {
    @TempDir
    Path dir

    /** A host with no PCI devices, so device problems do not depend on the machine the tests run on. */
    Rig rig = new Rig(new KvmHypervisor(), { new SnapshotHostInventory([], [], 'an empty test host') })

    private List<String> problemsOf(String text) {
        Path script = dir.resolve('vm.groovy')
        script.text = text
        try {
            ScriptPlanner.plan(script, rig)
            return []
        } catch (ValidationException e) {
            return e.problems().collect { "${it.line()}: ${it.describe()}".toString() }
        }
    }

    def "#what is reported at its line"() {
        expect: 'DIR in an expected message stands for the script\'s folder'
        problemsOf(text).join('\n') == expected.replace('DIR', dir.toString())

        where:
        what                           | text                                           || expected
        'a misspelt setting'           | "vm {\n  memroy '1G'\n}"                       || "2: unknown setting 'memroy' in vm { } (did you mean 'memory'?); known settings: after, before, cmdline, console, cpus, device, disk, guest, initrd, kernel, memory, name, on, onFailure, pciSegment, platform, serial, serialLog"
        'a wrong type'                 | "vm {\n  cpus 'four'\n}"                       || "2: cpus does not take 'four' (text); it takes a whole number"
        'a decimal cpu count'          | "vm {\n\n  cpus 1.5\n}"                        || "3: cpus does not take 1.5 (decimal number); it takes a whole number"
        'an assignment'                | "vm {\n  memory = '1G'\n}"                     || "2: write memory '1G' (no '=')"
        'a bare unknown word'          | "vm {\n  cpus 1\n  fast\n}"                    || "3: unknown word 'fast' in vm { }"
        'an unknown top-level word'    | "vm { }\nvms { }"                              || "2: unknown word 'vms' at the top of the script (did you mean 'vm'?); a script declares VMs with vm { ... }"
        'a malformed size'             | "vm {\n  memory 'lots'\n}"                     || "2: memory: 'lots' is not a size: write a number with an optional unit, e.g. '512M', '2G', '64MiB' (K, M, G, T are powers of 1024)"
        'an unknown built-in guest'    | "vm {\n  guest 'helo'\n}"                      || "2: guest: no built-in guest named 'helo'; there are: hello, pio-loop, echo"
        'zero cpus'                    | "vm {\n  cpus 0\n}"                            || "2: cpus: must be between 1 and 255, not 0"
        'too many cpus'                | "vm {\n  cpus 1000\n}"                         || "2: cpus: must be between 1 and 255, not 1000"
        'too little memory'            | "vm {\n  memory '1K'\n}"                       || "2: memory: 1 KiB is too small: this guest needs at least 2 MiB"
        'too much memory'              | "vm {\n  memory '5T'\n}"                       || "2: memory: 5 TiB is more than Rig supports (4 TiB)"
        'an unaligned memory size'     | "vm {\n  memory 4194305\n}"                    || "2: memory: 4194305 B is not a multiple of 4 KiB"
        'a missing kernel'             | "vm {\n  kernel 'nope.bz'\n}"                  || "2: kernel: DIR/nope.bz does not exist or is not a file"
        'a serial log in no folder'    | "vm {\n  serial 'no/such/dir/log'\n}"          || "2: serial: cannot write the serial log to DIR/no/such/dir/log: folder DIR/no/such/dir does not exist"
        'an exception in the script'   | "def x = 1 / 0\nvm { }"                        || "1: Arithmetic: Division by zero"
        'a script without a VM'        | "def x = 1"                                    || "0: the script declares no VM; add vm { ... }"
        'an unknown device option'     | "vm {\n  device path: '01:00.0', gpudirectclique: 0\n}" || "2: device has no option 'gpudirectclique' (did you mean 'gpudirectClique'?); its options: gpudirectClique, id, managed, path, pciSegment, rom\n2: device: 0000:01:00.0: no PCI device 0000:01:00.0 on this host (an empty test host)"
        'a device without a path'      | "vm {\n  device id: 'gpu'\n}"                || "2: device needs path: ..."
        'a segment that is text'       | "vm {\n  device path: '01:00.0', pciSegment: 'one'\n}" || "2: device pciSegment: expects a whole number, not 'one'\n2: device: 0000:01:00.0: no PCI device 0000:01:00.0 on this host (an empty test host)"
        'a rom that is neither on nor off' | "vm {\n  device path: '01:00.0', rom: 'maybe'\n}" || "2: device rom: expects true/false or 'on'/'off', not 'maybe'\n2: device: 0000:01:00.0: no PCI device 0000:01:00.0 on this host (an empty test host)"
        'an unknown lifecycle step'    | "vm {\n  on('bootd') { }\n}"                 || "2: on: no lifecycle step 'bootd' (did you mean 'booted'?); the steps: defined, validated, host-prepared, realized, booted, running, stopped, torn-down, failed"
        'zero PCI segments'            | "vm {\n  platform numPciSegments: 0\n}"      || "2: numPciSegments: must be between 1 and 96, not 0"
        'an unknown platform option'   | "vm {\n  platform segments: 2\n}"            || "2: platform has no option 'segments'; its options: numPciSegments"
        'a segment beyond the platform'| "vm {\n  pciSegment 3, mmio32Weight: 1\n}"   || "2: pciSegment: pciSegment 3 does not exist: platform numPciSegments is 1 (segments 0..0)"
        'a zero weight'                | "vm {\n  pciSegment 0, mmio32Weight: 0\n}"   || "2: pciSegment: pciSegment 0: weights must be at least 1 (mmio32Weight 0, mmio64Weight 1)"
        'a segment declared twice'     | "vm {\n  platform numPciSegments: 2\n  pciSegment 1, mmio32Weight: 2\n  pciSegment 1, mmio64Weight: 2\n}" || "4: pciSegment: pciSegment 1 is declared twice"
        'an odd huge page size'        | "vm {\n  memory size: '1G', hugepageSize: '4M'\n}" || "2: hugepageSize: 4 MiB is not an x86 huge page size: use '2M' or '1G'"
        'memory options without size'  | "vm {\n  memory hugepages: true\n}"          || "2: memory needs size: ..."
        'a missing disk image'         | "vm {\n  disk 'nope.img'\n}"                 || "2: disk: DIR/nope.img does not exist or is not a file"
        'an initrd without a kernel'   | "vm {\n  initrd 'nope.img'\n}"               || "2: initrd: an initrd needs a kernel"
        'a console log in no folder'   | "vm {\n  console 'no/dir/log'\n}"            || "2: console: cannot write the console log to DIR/no/dir/log: folder DIR/no/dir does not exist"
        'a serialLog in no folder'     | "vm {\n  serialLog 'no/dir/l2.log'\n}"       || "2: serialLog: cannot write the serial log to DIR/no/dir/l2.log: folder DIR/no/dir does not exist"
        'a guest and a kernel'         | "vm {\n  guest 'hello'\n  kernel 'k'\n}"    || "2: guest: a VM runs either a built-in guest or a kernel, not both\n3: kernel: DIR/k does not exist or is not a file"
        'a syntax error'               | "vm {\n  cpus 1\n  memory '1G\n}"             || "3: syntax error: Unexpected character: '\\'' (column 10)"
    }

    def "every problem in a script is reported in one run, in line order"() {
        expect:
        problemsOf("vm {\n  memroy '1G'\n  cpus 0\n  memory '12Q'\n  guest 'nope'\n}") == [
                "2: unknown setting 'memroy' in vm { } (did you mean 'memory'?); known settings: after, before, cmdline, console, cpus, device, disk, guest, initrd, kernel, memory, name, on, onFailure, pciSegment, platform, serial, serialLog",
                "3: cpus: must be between 1 and 255, not 0",
                "4: memory: '12Q' is not a size: write a number with an optional unit, e.g. '512M', '2G', '64MiB' (K, M, G, T are powers of 1024)",
                "5: guest: no built-in guest named 'nope'; there are: hello, pio-loop, echo"]
    }

    def "a good script gives a plan with the RAM laid out around the 32-bit hole"() {
        given:
        Path script = dir.resolve('big.groovy')
        script.text = "vm {\n  cpus 2\n  memory '4G'\n}"

        when:
        def plans = ScriptPlanner.plan(script, rig)

        then:
        plans.size() == 1
        with(plans[0]) {
            spec().name() == 'big'
            spec().cpus() == 2
            ram()*.start() == [0L, 1L << 32]
            ram()*.size() == [0xC000_0000L, 1L << 30]
        }
    }
}
