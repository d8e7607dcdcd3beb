package io.fleetkit.protocol.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;
import io.fleetkit.protocol.codec.Field;
import io.fleetkit.protocol.codec.Kind;
import io.fleetkit.protocol.codec.Kinds;
import io.fleetkit.protocol.codec.MessageCodec;
import io.fleetkit.protocol.codec.ObjectKind;
import io.fleetkit.protocol.codec.Values;
import io.fleetkit.protocol.codec.VariantKind;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.message.Messages;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.ReadingKind;
import io.fleetkit.protocol.model.Generator.Constant;
import io.fleetkit.protocol.model.Generator.Counter;
import io.fleetkit.protocol.model.Generator.RandomWalk;
import io.fleetkit.protocol.model.Generator.Sine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Reads device model files ({@code {"v":1,"id":"thermostat",…}}) strictly, with the JSON path
 * and reason of every problem, and ships the built-in models ({@link #BUILT_IN}).
 */
public final class DeviceModels {
    /** The models on the classpath under {@code io/fleetkit/protocol/models/}. */
    public static final List<String> BUILT_IN = List.of("thermostat", "smart-plug");
    private static final int MAX_BYTES = 256 * 1024;

    private static final Field<Void> KIND_RANDOM_WALK = Field.constant("kind", "randomWalk", "generator kind");
    private static final Field<Void> KIND_SINE = Field.constant("kind", "sine", "generator kind");
    private static final Field<Void> KIND_COUNTER = Field.constant("kind", "counter", "generator kind");
    private static final Field<Void> KIND_CONSTANT = Field.constant("kind", "constant", "generator kind");
    private static final Field<Double> START = Field.required("start", Kinds.number(), "first value");
    private static final Field<Double> MIN = Field.required("min", Kinds.number(), "lowest value");
    private static final Field<Double> MAX = Field.required("max", Kinds.number(), "highest value");
    private static final Field<Double> STEP = Field.required("step", Kinds.number(), "largest change per sample (counter: the increment)");
    private static final Field<Double> MEAN = Field.required("mean", Kinds.number(), "centre line");
    private static final Field<Double> AMPLITUDE = Field.required("amplitude", Kinds.number(), "half the swing");
    private static final Field<Double> PERIOD = Field.required("periodSeconds", Kinds.number(), "seconds per cycle");
    private static final Field<Reading> VALUE = Field.required("value", ReadingKind.INSTANCE, "the value");

    private static final Kind<Generator> GENERATOR = VariantKind.<Generator>by("kind", DeviceModels::kindOf)
            .variant("randomWalk", ObjectKind.strict("randomWalk", "A bounded random walk.",
                    List.of(KIND_RANDOM_WALK, START, MIN, MAX, STEP),
                    v -> new RandomWalk(v.get(START), v.get(MIN), v.get(MAX), v.get(STEP)),
                    (RandomWalk g) -> Values.of().put(START, g.start()).put(MIN, g.min()).put(MAX, g.max()).put(STEP, g.step())))
            .variant("sine", ObjectKind.strict("sine", "A sine wave over time.", List.of(KIND_SINE, MEAN, AMPLITUDE, PERIOD),
                    v -> new Sine(v.get(MEAN), v.get(AMPLITUDE), v.get(PERIOD)),
                    (Sine g) -> Values.of().put(MEAN, g.mean()).put(AMPLITUDE, g.amplitude()).put(PERIOD, g.periodSeconds())))
            .variant("counter", ObjectKind.strict("counter", "An increasing counter.", List.of(KIND_COUNTER, START, STEP),
                    v -> new Counter(v.get(START), v.get(STEP)),
                    (Counter g) -> Values.of().put(START, g.start()).put(STEP, g.step())))
            .variant("constant", ObjectKind.strict("constant", "A fixed value.", List.of(KIND_CONSTANT, VALUE),
                    v -> new Constant(v.get(VALUE)), (Constant g) -> Values.of().put(VALUE, g.value())))
            .build();

    private static final Field<String> FIELD_NAME = Field.required("name", Kinds.string(1, Messages.NAME_MAX, Messages.NAME_PATTERN), "reading name");
    private static final Field<FieldType> TYPE = Field.required("type", Kinds.enumeration(FieldType.class), "value type");
    private static final Field<String> UNIT = Field.optional("unit", Kinds.string(0, 16, null), "unit, e.g. °C");
    private static final Field<Generator> GENERATOR_FIELD = Field.required("generator", GENERATOR, "how values are simulated");
    private static final Kind<TelemetryField> TELEMETRY_FIELD = ObjectKind.strict("telemetry field", "One sensor.",
            List.of(FIELD_NAME, TYPE, UNIT, GENERATOR_FIELD),
            v -> new TelemetryField(v.get(FIELD_NAME), v.get(TYPE), v.getOrDefault(UNIT, ""), v.get(GENERATOR_FIELD)),
            f -> Values.of().put(FIELD_NAME, f.name()).put(TYPE, f.type()).put(UNIT, f.unit().isEmpty() ? null : f.unit())
                    .put(GENERATOR_FIELD, f.generator()));

    private static final Field<Integer> STATUS = Field.required("status", Kinds.int32(0, 999), "method status");
    private static final Field<JsonNode> PAYLOAD = Field.optional("payload", Kinds.anyJson(), "JSON payload");
    private static final Kind<ModelMethod.FixedResponse> RESPONSE = ObjectKind.strict("fixed response", "A canned answer.",
            List.of(STATUS, PAYLOAD), v -> new ModelMethod.FixedResponse(v.get(STATUS), v.find(PAYLOAD)),
            r -> Values.of().put(STATUS, r.status()).put(PAYLOAD, r.payload()));
    private static final Field<MethodName> METHOD_NAME = Field.required("name",
            Kinds.typedString(MethodName.MAX_LENGTH, null, MethodName::new, MethodName::value), "method name");
    private static final Field<ModelMethod.FixedResponse> RESPONSE_FIELD = Field.optional("response", RESPONSE,
            "required for methods other than the reference methods");
    private static final Kind<ModelMethod> METHOD = ObjectKind.strict("method", "A supported direct method.",
            List.of(METHOD_NAME, RESPONSE_FIELD), v -> new ModelMethod(v.get(METHOD_NAME), v.find(RESPONSE_FIELD)),
            m -> Values.of().put(METHOD_NAME, m.name()).put(RESPONSE_FIELD, m.response()));

    private static final Field<Void> V = Field.constant("v", 1, "file format version");
    private static final Field<String> ID = Field.required("id", Kinds.string(1, Messages.NAME_MAX, Messages.NAME_PATTERN), "model id, sent in boot messages");
    private static final Field<String> NAME = Field.required("name", Kinds.string(1, 128, null), "human-readable name");
    private static final Field<String> FIRMWARE = Field.required("firmwareVersion",
            Kinds.string(1, Messages.VERSION_MAX, Messages.VERSION_PATTERN), "firmware version the simulated device reports");
    private static final Field<Integer> INTERVAL = Field.required("telemetryIntervalSeconds", Kinds.int32(1, 86_400), "default telemetry interval");
    private static final Field<List<TelemetryField>> TELEMETRY = Field.required("telemetry",
            Kinds.listOf(TELEMETRY_FIELD, 1, Messages.READINGS_MAX), "the sensors");
    private static final Field<List<ModelMethod>> METHODS = Field.required("methods", Kinds.listOf(METHOD, 0, 64), "supported methods");

    /** The file format, for reading, writing and its JSON Schema. */
    public static final MessageCodec<DeviceModel> CODEC = new MessageCodec<>("device model", ObjectKind.strict("device model",
            "A device type: its sensors and their simulation, its methods, its telemetry interval.",
            List.of(V, ID, NAME, FIRMWARE, INTERVAL, TELEMETRY, METHODS),
            v -> new DeviceModel(v.get(ID), v.get(NAME), v.get(FIRMWARE), Duration.ofSeconds(v.get(INTERVAL)),
                    v.get(TELEMETRY), v.get(METHODS)),
            m -> Values.of().put(ID, m.id()).put(NAME, m.name()).put(FIRMWARE, m.firmwareVersion())
                    .put(INTERVAL, (int) m.telemetryInterval().toSeconds()).put(TELEMETRY, m.telemetry()).put(METHODS, m.methods())),
            MAX_BYTES);

    private DeviceModels() {
    }

    /**
     * Parses a model file's bytes.
     *
     * @param source the file name, quoted in errors
     * @throws ProtocolException (subject DEVICE_MODEL) naming the source, the JSON path and the reason
     */
    public static DeviceModel parse(byte[] json, String source) {
        try {
            return CODEC.fromJson(json, Subject.DEVICE_MODEL);
        } catch (ProtocolException e) {
            throw new ProtocolException(Subject.DEVICE_MODEL, source, e.location(), e.reason());
        }
    }

    /** Reads a model file. */
    public static DeviceModel load(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such device model file; built-in models are " + String.join(", ", BUILT_IN), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** A built-in model by id ({@link #BUILT_IN}). */
    public static DeviceModel builtIn(String id) {
        if (!BUILT_IN.contains(id)) {
            throw new IllegalArgumentException("no built-in device model '" + id + "'; built-in models are " + String.join(", ", BUILT_IN));
        }
        String resource = "/io/fleetkit/protocol/models/" + id + ".json";
        try (InputStream in = DeviceModels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the protocol jar");
            }
            return parse(in.readAllBytes(), resource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A built-in model by id, or else a model file at that path. */
    public static DeviceModel resolve(String idOrPath) {
        return BUILT_IN.contains(idOrPath) ? builtIn(idOrPath) : load(Path.of(idOrPath));
    }

    private static String kindOf(Generator g) {
        if (g instanceof RandomWalk) {
            return "randomWalk";
        }
        if (g instanceof Sine) {
            return "sine";
        }
        return g instanceof Counter ? "counter" : "constant";
    }
}
