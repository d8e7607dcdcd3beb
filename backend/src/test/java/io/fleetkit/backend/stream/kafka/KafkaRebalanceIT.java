package io.fleetkit.backend.stream.kafka;

import io.fleetkit.backend.processing.DeviceMessageHandler;
import io.fleetkit.backend.processing.MessageContext;
import io.fleetkit.backend.processing.StreamProcessor;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.backend.testing.TestKafka;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two processors of one consumer group, each on an engine (a process) of its own: the second to join takes half the
 * partitions, the first flushes and commits the ones it hands over before they move, and the one that stays takes them all
 * back when the other leaves — every record handled once, in order per device, through every move.
 */
@Timeout(120)
class KafkaRebalanceIT {
    private static final int DEVICES = 16;
    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z"); // in the past: Kafka 4 refuses timestamps over an hour ahead

    /** Which processor handled each device's sequence numbers, in the order handled. */
    static final class Handled implements DeviceMessageHandler {
        final Map<DeviceId, List<Long>> seqs;

        Handled(Map<DeviceId, List<Long>> shared) {
            this.seqs = shared;
        }

        @Override
        public void onTelemetry(MessageContext context, Telemetry message) {
            seqs.computeIfAbsent(context.deviceId(), k -> new CopyOnWriteArrayList<>()).add(message.seq());
        }
    }

    @Test
    void partitionsMoveBetweenMembersWithoutLosingOrRepeatingARecord() {
        KafkaSettings settings = TestKafka.settings("rebalance");
        Map<DeviceId, List<Long>> handled = new ConcurrentHashMap<>();
        try (KafkaEngine producer = KafkaEngine.open(settings, Map.of("telemetry", 4));
             KafkaEngine first = KafkaEngine.open(settings, Map.of("telemetry", 4))) {
            KafkaStream stream = producer.streams().get("telemetry");
            long seq = 0;
            seq = append(stream, seq, 50);
            try (StreamProcessor a = StreamProcessor.start(first.streams().get("telemetry"), "store", new Handled(handled), 8)) {
                Eventually.until("the first member owns every partition", Duration.ofSeconds(30), () -> a.partitions().size() == 4);
                try (KafkaEngine second = KafkaEngine.open(settings, Map.of("telemetry", 4))) {
                    StreamProcessor b = StreamProcessor.start(second.streams().get("telemetry"), "store", new Handled(handled), 8);
                    Eventually.until("the partitions are split between the two", Duration.ofSeconds(30),
                            () -> a.partitions().size() == 2 && b.partitions().size() == 2, () -> a.partitions() + " / " + b.partitions());
                    seq = append(stream, seq, 50);
                    Eventually.until("both caught up", Duration.ofSeconds(30), () -> handledCount(handled) == DEVICES * 100L);
                    assertThat(b.handled()).as("the second member handled its half").isPositive();
                    b.close(); // leaves the group: its partitions are committed and move back
                }
                Eventually.until("the first member owns every partition again", Duration.ofSeconds(30), () -> a.partitions().size() == 4);
                seq = append(stream, seq, 50);
                long total = DEVICES * seq;
                Eventually.until("all handled", Duration.ofSeconds(30), () -> handledCount(handled) >= total);
            }
            for (int d = 0; d < DEVICES; d++) {
                DeviceId device = DeviceId.of("rebalance-" + d);
                assertThat(handled.get(device)).as("%s: every record once, in order", device)
                        .containsExactlyElementsOf(LongStream.range(0, seq).boxed().toList());
            }
            for (int p = 0; p < 4; p++) {
                assertThat(stream.committed("store", p)).as("partition %d committed to its end", p).isEqualTo(stream.endOffset(p));
            }
        }
    }

    private static long handledCount(Map<DeviceId, List<Long>> handled) {
        return handled.values().stream().mapToLong(List::size).sum();
    }

    /** Appends {@code rounds} telemetry messages from each device, numbered on from {@code seq}; returns the next number. */
    private static long append(KafkaStream stream, long seq, int rounds) {
        for (int r = 0; r < rounds; r++, seq++) {
            for (int d = 0; d < DEVICES; d++) {
                Telemetry t = new Telemetry(seq, T0.plusSeconds(seq), Map.of("temperature", Reading.of(20.0 + d)));
                stream.append(StreamRecord.of(DeviceId.of("rebalance-" + d), T0.plusMillis(seq), Map.of("type", "telemetry"),
                        DeviceMessageCodec.CODEC.toJson(t))).join();
            }
        }
        return seq;
    }
}
