package io.fleetkit.hil.conform;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetkit.hil.link.Port;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.testport.TestPortMessage;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Runs a {@link Scenario} against the device under test and a reference (the firmware model) side
 * by side, as the bridge would drive them over their test ports, and reports every difference:
 * missing or extra messages, message schemas (field paths and JSON types), method status and
 * payload, hello fields, and method answer times further apart than the tolerance.
 * Message values are not compared (sensor readings, sequence numbers and signatures differ by
 * nature); method payload values are, except at the step's {@code ignore} pointers.
 */
public final class ConformanceRun {
    /** @param tolerance how far apart the two answer times of a method may be */
    public record Options(Duration tolerance, Duration helloTimeout) {
        public static final Options DEFAULT = new Options(Duration.ofMillis(500), Duration.ofSeconds(15));
    }

    private final Scenario scenario;
    private final Options options;
    private final List<Difference> differences = new ArrayList<>();
    private long nextRequestId = 1;
    // where an expect step starts looking on each side: at the previous step that made something happen (a press, an
    // invoke, a wait), or just past the previous expect's match — a fast device answers a press before the next step begins
    private int deviceMark;
    private int referenceMark;

    private ConformanceRun(Scenario scenario, Options options) {
        this.scenario = scenario;
        this.options = options;
    }

    /** Runs the scenario; the ports are opened, used and closed. */
    public static Report run(Scenario scenario, Port device, Port reference, Options options) throws InterruptedException {
        ConformanceRun run = new ConformanceRun(scenario, options);
        long started = System.nanoTime();
        try (DeviceEndpoint d = new DeviceEndpoint("device", device).start();
             DeviceEndpoint r = new DeviceEndpoint("reference", reference).start()) {
            run.execute(d, r);
            return new Report(scenario.name(), d.describe(), r.describe(), scenario.steps().size(), List.copyOf(run.differences),
                    Duration.ofNanos(System.nanoTime() - started), d.corrupt().size(), r.corrupt().size());
        }
    }

    private void execute(DeviceEndpoint d, DeviceEndpoint r) throws InterruptedException {
        long helloDeadline = System.nanoTime() + options.helloTimeout().toNanos();
        Optional<DeviceEndpoint.Observed> dh = d.await(TestPortMessage.Hello.class::isInstance, 0, helloDeadline);
        Optional<DeviceEndpoint.Observed> rh = r.await(TestPortMessage.Hello.class::isInstance, 0, helloDeadline);
        if (dh.isEmpty() || rh.isEmpty()) {
            differences.add(new Difference(0, "missing", "hello", dh.isPresent() ? "said hello" : Difference.NOTHING,
                    rh.isPresent() ? "said hello" : Difference.NOTHING));
            return; // nothing else can be compared with a device that never came up
        }
        compareHello((TestPortMessage.Hello) dh.get().message(), (TestPortMessage.Hello) rh.get().message());
        for (Scenario.Step step : scenario.steps()) {
            if (!(step instanceof Scenario.Step.Expect)) {
                deviceMark = d.count();
                referenceMark = r.count();
            }
            if (step instanceof Scenario.Step.Wait w) {
                Thread.sleep(w.duration().toMillis());
            } else if (step instanceof Scenario.Step.Press p) {
                press(d, p);
                press(r, p);
            } else if (step instanceof Scenario.Step.Invoke i) {
                invoke(i, d, r);
            } else if (step instanceof Scenario.Step.Expect e) {
                expect(e, d, r);
            }
        }
        compareMessages(d.all(), r.all());
    }

    private void compareHello(TestPortMessage.Hello d, TestPortMessage.Hello r) {
        compare("hello protocolVersion", d.protocolVersion(), r.protocolVersion());
        compare("hello modelId", d.modelId(), r.modelId());
        compare("hello firmwareVersion", d.firmwareVersion(), r.firmwareVersion());
    }

    private void compare(String subject, Object d, Object r) {
        if (!d.equals(r)) {
            differences.add(new Difference(0, "hello", subject.substring("hello ".length()), String.valueOf(d), String.valueOf(r)));
        }
    }

    private void press(DeviceEndpoint e, Scenario.Step.Press p) {
        try {
            e.send(new TestPortMessage.Button(TestPortMessage.ButtonAction.PRESSED));
            e.send(new TestPortMessage.Button(TestPortMessage.ButtonAction.RELEASED));
        } catch (IOException x) {
            differences.add(new Difference(p.line(), "missing", "link", e.label().equals("device") ? "down: " + x.getMessage() : "up",
                    e.label().equals("device") ? "up" : "down: " + x.getMessage()));
        }
    }

    private void invoke(Scenario.Step.Invoke step, DeviceEndpoint d, DeviceEndpoint r) throws InterruptedException {
        long id = nextRequestId++;
        Optional<JsonNode> payload = step.payload().isNull() ? Optional.empty() : Optional.of(step.payload());
        TestPortMessage.MethodCall call = new TestPortMessage.MethodCall(id, step.method(), payload);
        long sent = System.nanoTime();
        boolean dSent = send(d, call);
        boolean rSent = send(r, call);
        long deadline = sent + step.timeout().toNanos();
        Predicate<TestPortMessage> answer = m -> m instanceof TestPortMessage.MethodResult res && res.requestId() == id;
        Optional<DeviceEndpoint.Observed> da = dSent ? d.await(answer, 0, deadline) : Optional.empty();
        Optional<DeviceEndpoint.Observed> ra = rSent ? r.await(answer, 0, deadline) : Optional.empty();
        String method = step.method().value();
        if (da.isEmpty() || ra.isEmpty()) {
            String none = "no answer within " + step.timeout().toMillis() + " ms";
            differences.add(new Difference(step.line(), "missing", method + " answer", da.isPresent() ? "answered" : none,
                    ra.isPresent() ? "answered" : none));
            return;
        }
        TestPortMessage.MethodResult dr = (TestPortMessage.MethodResult) da.get().message();
        TestPortMessage.MethodResult rr = (TestPortMessage.MethodResult) ra.get().message();
        if (dr.status() != rr.status()) {
            differences.add(new Difference(step.line(), "method-status", method, Integer.toString(dr.status()), Integer.toString(rr.status())));
        }
        Map<String, String> dv = flatten(dr.payload().orElse(null), true);
        Map<String, String> rv = flatten(rr.payload().orElse(null), true);
        for (String path : union(dv.keySet(), rv.keySet())) {
            if (!step.ignore().contains(path) && !java.util.Objects.equals(dv.get(path), rv.get(path))) {
                differences.add(new Difference(step.line(), "method-payload", method + " " + (path.isEmpty() ? "/" : path),
                        dv.getOrDefault(path, Difference.NOTHING), rv.getOrDefault(path, Difference.NOTHING)));
            }
        }
        Duration dt = DeviceEndpoint.since(sent, da.get().nanos());
        Duration rt = DeviceEndpoint.since(sent, ra.get().nanos());
        if (dt.minus(rt).abs().compareTo(options.tolerance()) > 0) {
            differences.add(new Difference(step.line(), "timing", method + " answer time", dt.toMillis() + " ms", rt.toMillis() + " ms"));
        }
    }

    private boolean send(DeviceEndpoint e, TestPortMessage m) {
        try {
            e.send(m);
            return true;
        } catch (IOException x) {
            return false;
        }
    }

    private void expect(Scenario.Step.Expect step, DeviceEndpoint d, DeviceEndpoint r) throws InterruptedException {
        Predicate<TestPortMessage> match = m -> kind(m).equals(step.what());
        long deadline = System.nanoTime() + step.within().toNanos();
        Optional<DeviceEndpoint.Observed> df = d.await(match, deviceMark, deadline);
        Optional<DeviceEndpoint.Observed> rf = r.await(match, referenceMark, deadline);
        df.ifPresent(o -> deviceMark = o.index() + 1);
        rf.ifPresent(o -> referenceMark = o.index() + 1);
        if (df.isEmpty() || rf.isEmpty()) {
            String none = "no " + step.what() + " within " + step.within().toMillis() + " ms";
            differences.add(new Difference(step.line(), "missing", step.what(), df.isPresent() ? "sent one" : none, rf.isPresent() ? "sent one" : none));
        }
    }

    /** Which kind of frame: the device message type, or the frame's own name. */
    static String kind(TestPortMessage m) {
        if (m instanceof TestPortMessage.Message dm) {
            return dm.message().type().wireName();
        }
        return m.frameType().name().toLowerCase();
    }

    /** Over the whole run: message kinds seen on one side only, and each kind's schema. */
    private void compareMessages(List<DeviceEndpoint.Observed> d, List<DeviceEndpoint.Observed> r) {
        Map<String, Map<String, String>> ds = schemas(d);
        Map<String, Map<String, String>> rs = schemas(r);
        for (String kind : union(ds.keySet(), rs.keySet())) {
            if (!ds.containsKey(kind) || !rs.containsKey(kind)) {
                differences.add(new Difference(0, ds.containsKey(kind) ? "extra" : "missing", kind + " messages",
                        ds.containsKey(kind) ? "sent some" : Difference.NOTHING, rs.containsKey(kind) ? "sent some" : Difference.NOTHING));
                continue;
            }
            Map<String, String> dk = ds.get(kind);
            Map<String, String> rk = rs.get(kind);
            for (String path : union(dk.keySet(), rk.keySet())) {
                if (!java.util.Objects.equals(dk.get(path), rk.get(path))) {
                    differences.add(new Difference(0, "schema", kind + " " + path, dk.getOrDefault(path, Difference.NOTHING),
                            rk.getOrDefault(path, Difference.NOTHING)));
                }
            }
        }
    }

    /** Device messages by type: every field path seen, with its JSON type. */
    private static Map<String, Map<String, String>> schemas(List<DeviceEndpoint.Observed> observed) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (DeviceEndpoint.Observed o : observed) {
            if (o.message() instanceof TestPortMessage.Message m) {
                DeviceMessage dm = m.message();
                out.computeIfAbsent(dm.type().wireName(), k -> new TreeMap<>()).putAll(flatten(DeviceMessageCodec.CODEC.toTree(dm), false));
            }
        }
        return out;
    }

    /** JSON pointer → value (or JSON type, when {@code values} is false) of every leaf. */
    static Map<String, String> flatten(JsonNode node, boolean values) {
        Map<String, String> out = new TreeMap<>();
        flatten(node, "", values, out);
        return out;
    }

    private static void flatten(JsonNode n, String path, boolean values, Map<String, String> out) {
        if (n == null) {
            out.put(path, values ? "null" : "null");
            return;
        }
        if (n.isObject() && n.size() > 0) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(e.getValue(), path + "/" + e.getKey().replace("~", "~0").replace("/", "~1"), values, out);
            }
        } else if (n.isArray() && n.size() > 0 && values) {
            for (int i = 0; i < n.size(); i++) {
                flatten(n.get(i), path + "/" + i, true, out);
            }
        } else {
            out.put(path, values ? n.toString() : n.getNodeType().name().toLowerCase());
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
