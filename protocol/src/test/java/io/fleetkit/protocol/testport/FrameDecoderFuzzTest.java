package io.fleetkit.protocol.testport;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test port's streaming decoder against any bytes in any chunking, as a UART delivers them (Jazzer): nothing throws,
 * and after whatever noise, a delimiter and then a valid frame, the decoder hands over exactly that frame — it
 * resynchronises.
 */
class FrameDecoderFuzzTest {
    private static final Frame PING = new Frame(FrameType.values()[0], new byte[]{(byte) 0xA0});

    @FuzzTest(maxDuration = "60s")
    void resynchronisesAfterAnyNoise(FuzzedDataProvider data) {
        byte[] noise = data.consumeBytes(data.consumeInt(0, 4096));
        FrameDecoder decoder = new FrameDecoder();
        List<FrameDecoder.Result> results = new ArrayList<>();
        int at = 0;
        while (at < noise.length) { // in chunks of the fuzzer's choosing
            int chunk = Math.min(noise.length - at, data.consumeInt(1, 64));
            decoder.feed(noise, at, chunk, results::add);
            at += chunk;
        }
        results.clear();
        byte[] frame = PING.encode();
        decoder.feed(new byte[]{0}, results::add); // the delimiter ends whatever the noise left open
        results.clear();
        decoder.feed(frame, results::add);
        assertThat(results).containsExactly(new FrameDecoder.Result.Ok(PING));
    }
}
