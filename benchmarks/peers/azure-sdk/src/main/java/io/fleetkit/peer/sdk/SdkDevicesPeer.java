package io.fleetkit.peer.sdk;

import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;

import javax.net.ssl.SSLContext;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The simulator a team would write first: one official Azure IoT {@code DeviceClient} per device
 * (MQTT, X.509 from a connection string {@code HostName=…;DeviceId=…;x509=true}), each opened and
 * left idle. The baseline that {@code fleetkit bench sdk} compares the swarm with, in its own JVM.
 *
 * <p>Arguments: {@code PKI-DIR ID-PREFIX DEVICES PARALLEL}: the devices' certificates are issued under
 * the PKI's intermediate CA; at most PARALLEL clients open at once. The SDK dials port 8883 on
 * 127.0.0.1. Line protocol: {@code READY 0} once the identities are issued; {@code start} opens every
 * client and answers {@code ONLINE <seconds> <failed>}; {@code heap}, {@code threads}, {@code quit}.
 */
public final class SdkDevicesPeer {
    private SdkDevicesPeer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: SdkDevicesPeer PKI-DIR ID-PREFIX DEVICES PARALLEL");
            System.exit(2);
        }
        PrintStream control = System.out;
        System.setOut(System.err);
        PkiDirectory pki = PkiDirectory.load(Path.of(args[0]));
        int devices = Integer.parseInt(args[2]);
        int parallel = Integer.parseInt(args[3]);
        List<DeviceIdentity> identities = FactoryBatch.issueAll(pki.intermediate(), FactoryBatch.ids(args[1], 1, devices));
        List<DeviceClient> clients = new ArrayList<>();
        control.println("READY 0");
        control.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        try {
            while ((line = in.readLine()) != null) {
                switch (line.trim()) {
                    case "start" -> control.println("ONLINE " + openAll(identities, pki, parallel, clients));
                    case "heap" -> control.println("HEAP " + usedHeapAfterGc());
                    case "threads" -> control.println("THREADS " + Thread.activeCount());
                    case "quit" -> {
                        return;
                    }
                    default -> control.println("ERROR unknown command '" + line + "'");
                }
                control.flush();
            }
        } finally {
            clients.parallelStream().forEach(DeviceClient::close);
            System.exit(0); // the SDK's threads may outlive close()
        }
    }

    /** Opens a client per device, {@code parallel} at a time; returns "seconds failed". */
    private static String openAll(List<DeviceIdentity> identities, PkiDirectory pki, int parallel, List<DeviceClient> clients)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        long start = System.nanoTime();
        for (DeviceIdentity d : identities) {
            pool.execute(() -> {
                try {
                    SSLContext tls = TlsContexts.forDevice(d, pki.trustAnchors());
                    DeviceClient client = new DeviceClient("HostName=127.0.0.1;DeviceId=" + d.deviceId().value() + ";x509=true",
                            IotHubClientProtocol.MQTT, ClientOptions.builder().sslContext(tls).build());
                    client.open(false);
                    synchronized (clients) {
                        clients.add(client);
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, d.deviceId().value() + ": " + e);
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (firstFailure.get() != null) {
            System.err.println("first failure: " + firstFailure.get());
        }
        return seconds + " " + failed.get();
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
