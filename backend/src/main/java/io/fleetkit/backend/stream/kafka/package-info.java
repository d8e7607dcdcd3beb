/**
 * The streams on Apache Kafka and on Azure Event Hubs' Kafka endpoint: one topic per routing endpoint, the device id as the
 * record key and the partition chosen by {@link io.fleetkit.backend.stream.Stream#partitionOf} (the same on every engine),
 * IoT Hub's system properties as record headers, consumer groups that move partitions between processes.
 * {@link io.fleetkit.backend.stream.kafka.KafkaEngine} connects and opens the topics; {@link
 * io.fleetkit.backend.stream.kafka.KafkaSettings} says how (plain Kafka, or the Event Hubs profile).
 */
package io.fleetkit.backend.stream.kafka;
