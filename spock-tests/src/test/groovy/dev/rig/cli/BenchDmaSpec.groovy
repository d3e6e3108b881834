package dev.rig.cli

import dev.rig.cli.bench.DmaChunks
import dev.rig.cli.bench.DmaRound
import dev.rig.engine.alloc.GuestMemoryLayout
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Path

import static dev.rig.testing.RigProcess.HOME
import static dev.rig.testing.RigProcess.rig
import static dev.rig.testing.RigProcess.run

/**
 * rig bench dma's parts that need no VFIO (the measurement itself runs in the lab: scripts/test-lab): how guest
 * RAM is cut into map calls, reading the C reference's answers, its build, and the command's refusals.
 */
class BenchDmaSpec extends Specification {
    static final long MiB = 1L << 20, GiB = 1L << 30

    @TempDir
    Path dir

    def "guest RAM is mapped at IOVA = guest physical address, one call per RAM range or in fixed pieces"() {
        given: '5 GiB: 3 GiB low RAM, the 32-bit hole, 2 GiB from 4 GiB'
        def ram = GuestMemoryLayout.x86_64(5 * GiB).ram()

        expect:
        DmaChunks.of(ram, 0) == [new DmaChunks.Chunk(0, 0, 0, 3 * GiB), new DmaChunks.Chunk(1, 0, 4 * GiB, 2 * GiB)]

        when:
        def pieces = DmaChunks.of(ram, 2 * MiB)

        then:
        pieces.size() == 5 * 512
        pieces.every { it.size() == 2 * MiB && it.iova() == ram[it.range()].start() + it.offset() }
        pieces.findAll { it.range() == 1 }*.offset() == (0..<1024).collect { it * 2 * MiB }
    }

    def "a last piece shorter than the granularity is mapped short; granularities must be whole pages"() {
        expect:
        DmaChunks.of(GuestMemoryLayout.x86_64(5 * MiB).ram(), 2 * MiB)*.size() == [2 * MiB, 2 * MiB, 1 * MiB]

        when:
        DmaChunks.of(GuestMemoryLayout.x86_64(5 * MiB).ram(), 1000)

        then:
        def e = thrown(IllegalArgumentException)
        e.message == 'map granularity must be a multiple of 4 KiB, got 1000'
    }

    def "a round line of the C reference reads into its phases and per-granularity times; a missing field is named"() {
        when:
        def r = DmaRound.parse('container 10 group 20 iommu 30 device 40 info 50 map0 600 unmap0 700 calls0 1 ' +
                'map1 800 unmap1 900 calls1 512 close 60\n', 2)

        then:
        (0..4).collect { r.phase(it) } == [10L, 20L, 30L, 40L, 50L]
        r.map() == [600L, 800L] as long[]
        r.unmap() == [700L, 900L] as long[]
        r.calls() == [1, 512] as int[]
        r.close() == 60

        when:
        DmaRound.parse('container 10 group 20 iommu 30 device 40 info 50 map0 600 unmap0 700 calls0 1 close 60', 2)

        then:
        def e = thrown(IllegalArgumentException)
        e.message.startsWith('C reference: no map1 in: ')
    }

    def "the C reference builds warning-free and says how to call it"() {
        when:
        def gcc = run(['gcc', '-O2', '-Wall', '-Wextra', '-Werror', '-o', dir.resolve('dma-map').toString(),
                       HOME.resolve('scripts/bench/dma-map.c').toString()])
        def usage = run([dir.resolve('dma-map').toString()])

        then:
        gcc.exitCode == 0
        usage.exitCode == 2
        usage.err.startsWith('usage: ')
    }

    def "rig bench dma refuses a device that is not there, and says which"() {
        when:
        def r = rig('bench', 'dma', '--device', '0000:7e:1f.7')

        then:
        r.exitCode == 1
        r.err == 'rig: 0000:7e:1f.7: no such PCI device (rig host ls lists them)\n'
    }
}
