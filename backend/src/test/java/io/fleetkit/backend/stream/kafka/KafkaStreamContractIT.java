package io.fleetkit.backend.stream.kafka;

import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.StreamContract;
import io.fleetkit.backend.testing.TestKafka;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The stream contract on a real Kafka broker: each test on topics of its own. */
@Timeout(120)
class KafkaStreamContractIT extends StreamContract {
    private final KafkaSettings settings = KafkaSettings.bootstrap(TestKafka.bootstrap())
            .withTopics("test-" + UUID.randomUUID() + ".{endpoint}");
    private final List<KafkaEngine> engines = new ArrayList<>();

    @Override
    protected Stream create(int partitions) {
        return open(partitions);
    }

    @Override
    protected Stream reopen(Stream closed) {
        engines.remove(engines.size() - 1).close();
        return open(closed.partitions());
    }

    private Stream open(int partitions) {
        KafkaEngine engine = KafkaEngine.open(settings, Map.of("events", partitions));
        engines.add(engine);
        return engine.streams().get("events");
    }

    @AfterEach
    void closeEngines() {
        engines.forEach(KafkaEngine::close);
    }
}
