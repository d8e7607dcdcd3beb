package io.fleetkit.protocol.testport;

import java.util.Arrays;

/**
 * Consistent Overhead Byte Stuffing: rewrites a block so that it contains no zero byte, at a
 * cost of one byte per 254 bytes, so that 0x00 can delimit frames on the wire.
 */
public final class Cobs {
    private Cobs() {
    }

    /** The largest encoded length of {@code n} input bytes. */
    public static int maxEncodedLength(int n) {
        return n + n / 254 + 1;
    }

    public static byte[] encode(byte[] in, int offset, int length) {
        byte[] out = new byte[maxEncodedLength(length)];
        int codeAt = 0;
        int o = 1;
        int code = 1;
        for (int i = offset; i < offset + length; i++) {
            if (in[i] == 0) {
                out[codeAt] = (byte) code;
                codeAt = o++;
                code = 1;
            } else {
                out[o++] = in[i];
                code++;
                if (code == 0xFF) {
                    out[codeAt] = (byte) code;
                    codeAt = o++;
                    code = 1;
                }
            }
        }
        out[codeAt] = (byte) code;
        return Arrays.copyOf(out, o);
    }

    /**
     * Decodes one block (without its delimiter).
     *
     * @return the decoded bytes, or null when the block is not valid COBS (a zero byte inside,
     *         or a code that runs past the end)
     */
    public static byte[] decode(byte[] in, int offset, int length) {
        byte[] out = new byte[length];
        int o = 0;
        int i = offset;
        int end = offset + length;
        while (i < end) {
            int code = in[i++] & 0xFF;
            if (code == 0 || i + code - 1 > end) {
                return null;
            }
            for (int k = 1; k < code; k++) {
                byte b = in[i++];
                if (b == 0) {
                    return null;
                }
                out[o++] = b;
            }
            if (code < 0xFF && i < end) {
                out[o++] = 0;
            }
        }
        return Arrays.copyOf(out, o);
    }
}
