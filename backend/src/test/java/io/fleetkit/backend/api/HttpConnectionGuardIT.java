package io.fleetkit.backend.api;

import io.fleetkit.backend.admission.HttpLimits;
import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.backend.Backend;
import io.fleetkit.testing.Eventually;
import io.fleetkit.protocol.pki.PkiDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The REST server's guard ({@link HttpConnectionGuard}) against raw sockets: the deadline for a whole request, the idle
 * keep-alive end, no deadline while a request is answered, and the connection caps overall and per source address.
 */
@ThrowAwayPki.Use
class HttpConnectionGuardIT {
    static final Duration DEADLINE = Duration.ofMillis(700);
    static final int MAX = 3;
    static final int PER_SOURCE = 2;
    @TempDir
    static Path tmp;
    static Backend backend;
    final List<Socket> sockets = new ArrayList<>();

    @BeforeAll
    static void start(ThrowAwayPki throwAway) {
        PkiDirectory pki = throwAway.directory();
        backend = Backend.builder(pki, tmp.resolve("data")).hub(h -> h.port(0)).http("127.0.0.1", 0)
                .httpLimits(new HttpLimits(DEADLINE, MAX, PER_SOURCE)).start();
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @AfterEach
    void closeSockets() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        // the next test starts with every slot free
        Eventually.until("the server let go of this test's connections", () -> servesANewConnectionFrom("127.0.0.9"));
    }

    /** Whether a connection opened now from {@code from} is admitted and answered (it is closed again). */
    static boolean servesANewConnectionFrom(String from) {
        try (Socket probe = open(from)) {
            return answersHealth(probe);
        } catch (IOException e) {
            return false;
        }
    }

    Socket connect(String from) throws IOException {
        Socket s = open(from);
        sockets.add(s);
        return s;
    }

    static Socket open(String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(new InetSocketAddress("127.0.0.1", backend.httpPort()), 5000);
        s.setSoTimeout((int) DEADLINE.multipliedBy(10).toMillis());
        return s;
    }

    /** Whether the server answers a GET /healthz on this connection with 200 (false: it closed the connection). */
    static boolean answersHealth(Socket s) throws IOException {
        String head;
        try {
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            head = head(s.getInputStream());
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException reset) {
            return false;
        }
        if (head == null) {
            return false;
        }
        int length = Integer.parseInt(head.replaceAll("(?si).*content-length: *(\\d+).*", "$1"));
        s.getInputStream().readNBytes(length);
        return head.startsWith("HTTP/1.1 200");
    }

    /** The status line and headers of a response, or null when the server closed the connection first. */
    static String head(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (!b.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    /** Reads until the server closes; fails if it does not within the read timeout (ten deadlines). */
    static byte[] untilClosed(Socket s) throws IOException {
        try {
            return s.getInputStream().readAllBytes();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection within " + s.getSoTimeout() + " ms");
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtItsDeadline() throws IOException {
        Socket idle = connect("127.0.0.2");
        assertThat(untilClosed(idle)).as("closed without a word").isEmpty();
    }

    @Test
    void aKeptAliveConnectionIsServedAgainAndAgainThenClosedWhenIdle() throws IOException {
        Socket s = connect("127.0.0.2");
        for (int i = 0; i < 3; i++) {
            assertThat(answersHealth(s)).as("request %d on the same connection", i + 1).isTrue();
        }
        assertThat(untilClosed(s)).isEmpty();
    }

    @Test
    void trickledHeadersAndAnUnfinishedBodyAreCutWithoutAnAnswer() throws IOException {
        Socket headers = connect("127.0.0.2");
        headers.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
        Socket body = connect("127.0.0.3");
        body.getOutputStream().write(("POST /api/v1/devices HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"deviceId\":").getBytes(StandardCharsets.US_ASCII));
        assertThat(untilClosed(headers)).as("headers never finished").isEmpty();
        assertThat(untilClosed(body)).as("a body 12 bytes of its 100").isEmpty();
    }

    @Test
    void aRequestBeingAnsweredHoldsNoDeadline() throws IOException {
        String token = backend.devIssuer().mint("alice", false, Duration.ofMinutes(5));
        Socket events = connect("127.0.0.2");
        events.getOutputStream().write(("GET /api/v1/fleet/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(head(events.getInputStream())).startsWith("HTTP/1.1 200").containsIgnoringCase("text/event-stream");
        // two strangers, one after the other, each cut at its deadline: the stream has been open longer than one
        assertThat(untilClosed(connect("127.0.0.3"))).isEmpty();
        assertThat(untilClosed(connect("127.0.0.3"))).isEmpty();
        assertThat(stillOpen(events)).as("the event stream's connection is still open").isTrue();
    }

    /** The stream is still open: its socket has not reached its end (a read times out or brings an event). */
    static boolean stillOpen(Socket events) throws IOException {
        events.setSoTimeout(200);
        try {
            return events.getInputStream().read() >= 0;
        } catch (SocketTimeoutException stillOpen) {
            return true;
        }
    }

    @Test
    void connectionsPastTheCapsAreClosedAtAcceptAndTheirSlotsFreedOnClose() throws IOException {
        Socket first = connect("127.0.0.2");
        Socket second = connect("127.0.0.2");
        assertThat(answersHealth(first)).isTrue();
        assertThat(answersHealth(second)).isTrue();
        Socket third = connect("127.0.0.2");
        assertThat(answersHealth(third)).as("a third connection from one address (cap %d): closed at accept", PER_SOURCE).isFalse();

        Socket other = connect("127.0.0.3");
        assertThat(answersHealth(other)).as("another address has its own share").isTrue();
        Socket fourth = connect("127.0.0.4");
        assertThat(answersHealth(fourth)).as("a fourth connection overall (cap %d): closed at accept", MAX).isFalse();

        first.close();
        Eventually.until("a closed connection gives its slot back", () -> servesANewConnectionFrom("127.0.0.2"));
    }
}
