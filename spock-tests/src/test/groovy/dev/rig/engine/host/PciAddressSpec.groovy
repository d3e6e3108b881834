package dev.rig.engine.host

import spock.lang.Specification

class PciAddressSpec extends Specification {

    def "parses '#text' as #canonical"() {
        when:
        def address = PciAddress.parse(text)

        then:
        address.toString() == canonical
        [address.segment(), address.bus(), address.device(), address.function()] == fields

        where:
        text                                    || canonical      | fields
        '0000:01:00.0'                          || '0000:01:00.0' | [0, 1, 0, 0]
        '01:00.0'                               || '0000:01:00.0' | [0, 1, 0, 0]
        '00:1f.3'                               || '0000:00:1f.3' | [0, 0, 0x1f, 3]
        '0001:3B:1F.7'                          || '0001:3b:1f.7' | [1, 0x3b, 0x1f, 7]
        'ffff:ff:1f.7'                          || 'ffff:ff:1f.7' | [0xffff, 0xff, 0x1f, 7]
        '/sys/bus/pci/devices/0000:01:00.0'     || '0000:01:00.0' | [0, 1, 0, 0]
        '/sys/bus/pci/devices/0000:01:00.0/'    || '0000:01:00.0' | [0, 1, 0, 0]
        '/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0' || '0000:01:00.0' | [0, 1, 0, 0]
        '  0000:03:00.1\n'                      || '0000:03:00.1' | [0, 3, 0, 1]
    }

    def "rejects '#text' with a message quoting it and saying #problem"() {
        when:
        PciAddress.parse(text)

        then:
        def e = thrown(IllegalArgumentException)
        e.message.startsWith("Invalid PCI address \"$text\": $problem")
        e.message.contains('expected [segment:]bus:device.function')

        where:
        text                          || problem
        ''                            || 'expected'
        'garbage'                     || 'expected'
        '01:00'                       || 'expected'
        '0000:01:00'                  || 'expected'
        '0000:01:00.0.1'              || 'expected'
        '0000-01-00.0'                || 'expected'
        'g000:01:00.0'                || 'expected'
        '/sys/bus/pci/devices/'       || 'expected'
        '0000:01:20.0'                || 'device 0x20 is out of range 0x00..0x1f'
        '0000:01:00.8'                || 'function 8 is out of range 0..7'
        '0000:100:00.0'               || 'bus 0x100 is out of range 0x00..0xff'
        '10000:00:00.0'               || 'segment 0x10000 is out of range 0x0000..0xffff'
    }

    def "the constructor checks ranges too"() {
        when:
        new PciAddress(0, 1, 32, 0)

        then:
        def e = thrown(IllegalArgumentException)
        e.message == 'Invalid PCI address: device 0x20 is out of range 0x00..0x1f'
    }

    def "orders numerically by segment, bus, device, function"() {
        given:
        def texts = ['0001:00:00.0', '0000:10:00.0', '0000:02:00.0', '0000:02:00.1', '0000:02:1f.0']

        expect:
        texts.collect(PciAddress::parse).sort()*.toString() ==
                ['0000:02:00.0', '0000:02:00.1', '0000:02:1f.0', '0000:10:00.0', '0001:00:00.0']
    }

    def "equal addresses parsed from different forms are equal"() {
        expect:
        PciAddress.parse('01:00.1') == PciAddress.parse('/sys/bus/pci/devices/0000:01:00.1')
        PciAddress.parse('01:00.1') == PciAddress.of(1, 0, 1)
        PciAddress.of(1, 0, 0).withFunction(1) == PciAddress.of(1, 0, 1)
        PciAddress.of(1, 0, 0).sameSlot(PciAddress.of(1, 0, 1))
        !PciAddress.of(1, 0, 0).sameSlot(PciAddress.of(2, 0, 0))
    }
}
