package io.fleetkit.cli;

import io.fleetkit.hil.bridge.Bridge;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.testport.TestPortMessage;

import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Prints what the bridge sees, one timestamped line each. */
record BridgePrinter(PrintWriter out) implements Bridge.Observer {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private void line(String text) {
        synchronized (out) {
            out.println(LocalTime.now().format(TIME) + "  " + text);
            out.flush();
        }
    }

    @Override
    public void linkUp(String port) {
        line("link up: " + port);
    }

    @Override
    public void linkDown(String reason) {
        line("link down: " + reason);
    }

    @Override
    public void hello(TestPortMessage.Hello h) {
        line("hello: " + h.deviceId() + ", " + h.modelId() + " firmware " + h.firmwareVersion() + ", test-port protocol " + h.protocolVersion());
    }

    @Override
    public void online(String hub) {
        line("online at hub " + hub);
    }

    @Override
    public void offline(String reason) {
        line("offline: " + reason);
    }

    @Override
    public void relayed(DeviceMessage m) {
        line(m.type().wireName() + " seq " + m.seq() + " published");
    }

    @Override
    public void methodCalled(MethodName method, long requestId) {
        line("method " + method.value() + " → device (request " + requestId + ")");
    }

    @Override
    public void methodAnswered(long requestId, int status) {
        line("answer " + status + " ← device (request " + requestId + ")");
    }

    @Override
    public void button(TestPortMessage.ButtonAction action) {
        line("button " + action.wireName());
    }

    @Override
    public void led(TestPortMessage.Led l) {
        line("LED " + l.mode().wireName() + (l.mode() == TestPortMessage.LedMode.OFF ? "" : " " + l.color())
                + (l.periodMs() > 0 ? " every " + l.periodMs() + " ms" : ""));
    }

    @Override
    public void log(TestPortMessage.Log l) {
        line("device log " + l.level().wireName() + ": " + l.text());
    }

    @Override
    public void corrupt(String reason, int bytes) {
        line("corrupt frame skipped (" + bytes + " bytes): " + reason);
    }

    @Override
    public void problem(String what) {
        line("problem: " + what);
    }
}
