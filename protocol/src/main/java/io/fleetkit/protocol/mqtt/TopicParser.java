package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.ProtocolException.Subject;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.ModuleId;
import io.fleetkit.protocol.id.OperationId;
import io.fleetkit.protocol.id.RequestId;
import io.fleetkit.protocol.mqtt.TextReader.Param;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The grammar of IoT Hub and DPS topics, in one place: reads topic text into the {@link Topic}
 * types. Dispatches on the first levels ({@code devices/}, {@code $iothub/methods/},
 * {@code $iothub/twin/}, {@code $dps/registrations/}), then reads level by level with a
 * {@link TextReader}, so every failure names the index where the text left the grammar.
 */
final class TopicParser {
    static final int MAX_STATUS = 999;
    private static final Set<String> RID = Set.of("$rid");

    private TopicParser() {
    }

    static Topic parse(String topic) {
        TextReader r = new TextReader(Subject.TOPIC, topic);
        if (r.tryLiteral("devices/")) {
            return messages(r);
        }
        if (r.tryLiteral("$iothub/methods/")) {
            return methods(r);
        }
        if (r.tryLiteral("$iothub/twin/")) {
            return twin(r);
        }
        if (r.tryLiteral("$dps/registrations/")) {
            return dps(r);
        }
        throw r.error(0, "not an IoT Hub or DPS topic; expected one starting with "
                + "'devices/', '$iothub/methods/', '$iothub/twin/' or '$dps/registrations/'");
    }

    static void checkStatus(int status) {
        if (status < 0 || status > MAX_STATUS) {
            throw new IllegalArgumentException("status: must be 0–" + MAX_STATUS + ", was " + status);
        }
    }

    private static Topic messages(TextReader r) {
        int at = r.position();
        DeviceId device = r.typed(r.segment("device id"), at, DeviceId::new);
        Optional<ModuleId> module = Optional.empty();
        if (r.tryLiteral("modules/")) {
            int mat = r.position();
            module = Optional.of(r.typed(r.segment("module id"), mat, ModuleId::new));
        }
        r.literal("messages/");
        if (module.isEmpty() && r.tryLiteral("devicebound/")) {
            return new DeviceboundTopic(device, rest(r));
        }
        if (r.tryLiteral("events/")) {
            return new TelemetryTopic(device, module, rest(r));
        }
        throw r.error(r.position(), module.isEmpty()
                ? "expected 'events/' (device to cloud) or 'devicebound/' (cloud to device)"
                : "expected 'events/' (a module sends on .../messages/events/)");
    }

    private static PropertyBag rest(TextReader r) {
        PropertyBag bag = PropertyBag.parse(r.text(), r.position(), r.text().length());
        return bag;
    }

    private static Topic methods(TextReader r) {
        if (r.tryLiteral("POST/")) {
            int at = r.position();
            MethodName name = r.typed(r.segment("method name"), at, MethodName::new);
            return new MethodRequestTopic(name, onlyRid(r));
        }
        if (r.tryLiteral("res/")) {
            int status = status(r);
            return new MethodResponseTopic(status, onlyRid(r));
        }
        throw r.error(r.position(), "expected 'POST/' (a call to the device) or 'res/' (the device's answer)");
    }

    private static Topic twin(TextReader r) {
        if (r.tryLiteral("GET/")) {
            return new TwinGetTopic(onlyRid(r));
        }
        if (r.tryLiteral("PATCH/properties/reported/")) {
            return new TwinReportedPatchTopic(onlyRid(r));
        }
        if (r.tryLiteral("PATCH/properties/desired/")) {
            r.literal("?");
            Map<String, Param> p = r.params(Set.of("$version"), false);
            Param v = r.require(p, "$version");
            return new TwinDesiredPatchTopic(r.number(v.value(), v.at(), "$version", Long.MAX_VALUE));
        }
        if (r.tryLiteral("res/")) {
            int status = status(r);
            r.literal("?");
            Map<String, Param> p = r.params(Set.of("$rid", "$version"), false);
            RequestId rid = rid(r, p);
            Param v = p.get("$version");
            OptionalLong version = v == null ? OptionalLong.empty()
                    : OptionalLong.of(r.number(v.value(), v.at(), "$version", Long.MAX_VALUE));
            return new TwinResponseTopic(status, rid, version);
        }
        throw r.error(r.position(),
                "expected 'GET/', 'PATCH/properties/reported/', 'PATCH/properties/desired/' or 'res/'");
    }

    private static Topic dps(TextReader r) {
        if (r.tryLiteral("PUT/iotdps-register/")) {
            return new DpsRegisterTopic(onlyRid(r));
        }
        if (r.tryLiteral("GET/iotdps-get-operationstatus/")) {
            r.literal("?");
            Map<String, Param> p = r.params(Set.of("$rid", "operationId"), false);
            RequestId rid = rid(r, p);
            Param op = r.require(p, "operationId");
            return new DpsOperationStatusTopic(rid, r.typed(op.value(), op.at(), OperationId::new));
        }
        if (r.tryLiteral("res/")) {
            int status = status(r);
            r.literal("?");
            Map<String, Param> p = r.params(Set.of("$rid", "retry-after"), false);
            RequestId rid = rid(r, p);
            Param retry = p.get("retry-after");
            OptionalInt retryAfter = retry == null ? OptionalInt.empty()
                    : OptionalInt.of((int) r.number(retry.value(), retry.at(), "retry-after", Integer.MAX_VALUE));
            return new DpsResponseTopic(status, rid, retryAfter);
        }
        throw r.error(r.position(),
                "expected 'PUT/iotdps-register/', 'GET/iotdps-get-operationstatus/' or 'res/'");
    }

    private static int status(TextReader r) {
        int at = r.position();
        return (int) r.number(r.segment("status code"), at, "status code", MAX_STATUS);
    }

    /** Reads {@code ?$rid=…} to the end of the topic. */
    private static RequestId onlyRid(TextReader r) {
        r.literal("?");
        return rid(r, r.params(RID, false));
    }

    private static RequestId rid(TextReader r, Map<String, Param> params) {
        Param rid = r.require(params, "$rid");
        return r.typed(rid.value(), rid.at(), RequestId::new);
    }
}
