package dev.rig.kvm.devices;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Uart8250Test {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Boolean> irq = new ArrayList<>();
    private final Uart8250 uart = new Uart8250(out, irq::add);

    @Test
    void transmitsWhatTheGuestWritesToThr() {
        for (char c : "hi\n".toCharArray()) uart.write(0, 1, c);
        assertEquals("hi\n", out.toString());
        assertEquals(0x60, uart.read(5, 1) & 0x60, "THRE and TEMT: ready for the next byte");
    }

    @Test
    void divisorLatchHidesThrWhileDlabIsSet() {
        uart.write(3, 1, 0x80);
        uart.write(0, 1, 0x01);
        uart.write(1, 1, 0x00);
        assertEquals(0x01, uart.read(0, 1));
        uart.write(3, 1, 0x03);
        assertEquals("", out.toString(), "divisor writes are not output");
    }

    @Test
    void raisesAndClearsTheThreInterrupt() {
        uart.write(1, 1, 0x02);                       // IER: THRE interrupt
        assertEquals(List.of(true), irq);
        assertEquals(0x02, uart.read(2, 1) & 0x0f);  // IIR says THRE; reading it clears the source
        assertEquals(List.of(true, false), irq);
        assertEquals(0x01, uart.read(2, 1) & 0x0f);  // nothing pending
    }

    @Test
    void receivedBytesRaiseTheRxInterruptAndAreReadFromRbr() {
        uart.write(1, 1, 0x01);
        uart.receive("ok".getBytes());
        assertEquals(0x01, uart.read(5, 1) & 0x01, "LSR.DR");
        assertEquals(0x04, uart.read(2, 1) & 0x0f, "IIR: received data");
        assertEquals('o', uart.read(0, 1));
        assertEquals('k', uart.read(0, 1));
        assertEquals(0, uart.read(5, 1) & 0x01);
        assertEquals(List.of(true, false), irq);
    }

    @Test
    void loopbackFeedsTransmitToReceiveAndModemLines() {
        uart.write(4, 1, 0x10 | 0x0b);  // loop, OUT2, RTS, DTR
        uart.write(0, 1, 'x');
        assertEquals("", out.toString());
        assertEquals('x', uart.read(0, 1));
        assertEquals(0xb0, uart.read(6, 1) & 0xf0, "DCD, DSR, CTS follow OUT2, DTR, RTS");
    }
}
