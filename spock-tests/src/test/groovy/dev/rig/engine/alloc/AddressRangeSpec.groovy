package dev.rig.engine.alloc

import spock.lang.Specification

import static dev.rig.engine.alloc.Sizes.*

class AddressRangeSpec extends Specification {

    def "prints as inclusive hex bounds with a human size"() {
        expect:
        new AddressRange(start, size).toString() == text

        where:
        start               | size          || text
        0xC000_0000L        | 256 * MiB     || "0xc0000000-0xcfffffff (256 MiB)"
        0L                  | 4 * KiB       || "0x0-0xfff (4 KiB)"
        0x10_0000_0000L     | 64 * GiB      || "0x1000000000-0x1fffffffff (64 GiB)"
        0x1000L             | 1             || "0x1000-0x1000 (1 byte)"
    }

    def "end is inclusive and endExclusive is the next address"() {
        given:
        def r = new AddressRange(0x1000, 0x1000)

        expect:
        r.end() == 0x1fff
        r.endExclusive() == 0x2000
        r.contains(0x1000L)
        r.contains(0x1fffL)
        !r.contains(0x2000L)
        !r.contains(0xfffL)
        AddressRange.between(0x1000, 0x2000) == r
    }

    def "overlaps and contains another range"() {
        given:
        def base = new AddressRange(0x1000, 0x1000)
        def other = new AddressRange(start, size)

        expect:
        base.overlaps(other) == overlaps
        other.overlaps(base) == overlaps
        base.contains(other) == contains

        where:
        start  | size   || overlaps | contains
        0x1000 | 0x1000 || true     | true
        0x1800 | 0x100  || true     | true
        0x0    | 0x1000 || false    | false
        0x0    | 0x1001 || true     | false
        0x1fff | 0x10   || true     | false
        0x2000 | 0x1000 || false    | false
        0x0    | 0x4000 || true     | false
    }

    def "rejects empty, negative and overflowing ranges"() {
        when:
        new AddressRange(start, size)

        then:
        thrown(IllegalArgumentException)

        where:
        start          | size
        0              | 0
        0              | -1
        -1             | 0x1000
        Long.MAX_VALUE | 2
    }

    def "formats sizes in the largest unit, with decimals only when inexact"() {
        expect:
        Sizes.format(bytes) == text

        where:
        bytes               || text
        0                   || "0 bytes"
        1                   || "1 byte"
        1023                || "1023 bytes"
        4 * KiB             || "4 KiB"
        640 * MiB           || "640 MiB"
        1536 * MiB          || "1.50 GiB"
        64 * GiB            || "64 GiB"
        3 * GiB + 1         || "3.00 GiB"
        2 * TiB             || "2 TiB"
    }
}
