package io.fleetkit.protocol.testport;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

import static org.assertj.core.api.Assertions.assertThat;

/** The test port's framing, for any bytes: what the embedded team's firmware must reproduce exactly. */
class FramingPropertiesTest {

    @Property(tries = 500)
    void cobsDecodesWhatItEncodedAndTheEncodingHoldsNoZero(@ForAll @Size(max = 1500) byte[] data) {
        byte[] encoded = Cobs.encode(data, 0, data.length);
        assertThat(encoded).doesNotContain((byte) 0);
        assertThat(encoded.length).isLessThanOrEqualTo(Cobs.maxEncodedLength(data.length));
        assertThat(Cobs.decode(encoded, 0, encoded.length)).isEqualTo(data);
    }

    @Property(tries = 500)
    void crc16IsTheBitwiseCcittFalse(@ForAll @Size(max = 600) byte[] data) {
        assertThat(Crc16.of(data)).isEqualTo(bitwise(data));
    }

    /** CRC-16/CCITT-FALSE one bit at a time, straight from its definition: the reference the table must match. */
    private static int bitwise(byte[] data) {
        int crc = 0xFFFF;
        for (byte b : data) {
            crc ^= (b & 0xFF) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
            }
        }
        return crc;
    }
}
