/**
 * IoT Hub's and DPS's MQTT dialect: every topic as a typed value ({@code Topic}, parsed in one place, {@code TopicParser}),
 * topic filters, property bags with IoT Hub's percent-encoding and system properties, and the CONNECT usernames. Nothing
 * else in fleetkit splits a topic string.
 */
package io.fleetkit.protocol.mqtt;
