package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The URL encoding of IoT Hub property bags and usernames.
 *
 * <p>Encoding follows what the Azure IoT SDKs send: UTF-8, with ASCII letters, digits and
 * {@code - . _ *} kept and every other byte written as {@code %XX} in upper case; a space
 * is {@code %20}, never {@code +}. Decoding accepts {@code %xx} in either case and reads
 * {@code +} as a space (as {@link java.net.URLDecoder} does, which the SDKs use), so input
 * that used another legal spelling decodes to the same value and formats back canonically.
 */
public final class PercentCodec {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PercentCodec() {
    }

    public static String encode(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (isUnreserved(c)) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(value.length() + 16).append(value, 0, i);
            }
            int end = i + 1;
            if (Character.isHighSurrogate(c) && end < value.length() && Character.isLowSurrogate(value.charAt(end))) {
                end++;
            }
            for (byte b : value.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
            i = end - 1;
        }
        return out == null ? value : out.toString();
    }

    /**
     * Decodes {@code text[start, end)}.
     *
     * @param subject what is being decoded, for the error
     * @param whole   the whole input, quoted in the error
     * @param offset  index of {@code text} within {@code whole}, so errors point into the whole input
     */
    public static String decode(String text, int start, int end, Subject subject, String whole, int offset) {
        int firstSpecial = -1;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == '%' || c == '+') {
                firstSpecial = i;
                break;
            }
        }
        if (firstSpecial < 0) {
            return text.substring(start, end);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(end - start);
        byte[] prefix = text.substring(start, firstSpecial).getBytes(StandardCharsets.UTF_8);
        bytes.write(prefix, 0, prefix.length);
        for (int i = firstSpecial; i < end; i++) {
            char c = text.charAt(i);
            if (c == '%') {
                int hi = i + 1 < end ? Character.digit(text.charAt(i + 1), 16) : -1;
                int lo = i + 2 < end ? Character.digit(text.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new ProtocolException(subject, whole, "index " + (offset + i),
                            "'%' must be followed by two hexadecimal digits");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+') {
                bytes.write(' ');
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                int cp = Character.codePointAt(text, i);
                byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
                i += Character.charCount(cp) - 1;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(subject, whole, "index " + (offset + start),
                    "percent-encoded bytes are not valid UTF-8");
        }
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '*';
    }
}
