package io.fleetkit.bench.load;

import io.fleetkit.protocol.pki.PkiDirectory;
import org.HdrHistogram.Histogram;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

/**
 * The transport hop the cluster chose for commands, measured the way {@link CommandTopicRoundTrip} measures the one it did
 * not: a request to a hub node's command endpoint and its answer (HTTPS, kept alive, the cluster's secret), one at a time —
 * what a forwarded command adds to the device's own round trip.
 */
final class NodeHopRoundTrip {
    private NodeHopRoundTrip() {
    }

    /** p50 and p99 in milliseconds of {@code count} round trips to node {@code nodeId} of the cluster in {@code schema}. */
    static double[] measure(ProductionEngines engines, String schema, PkiDirectory pki, int nodeId, int count) {
        try (Connection c = DriverManager.getConnection(engines.databaseUrl(), engines.databaseUser(), ProductionEngines.password());
             Statement st = c.createStatement()) {
            String address;
            String secret;
            try (ResultSet rs = st.executeQuery("SELECT address FROM " + schema + ".cluster_nodes WHERE node_id = " + nodeId)) {
                rs.next();
                address = rs.getString(1);
            }
            try (ResultSet rs = st.executeQuery("SELECT secret FROM " + schema + ".cluster_secrets")) {
                rs.next();
                secret = rs.getString(1);
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trusting(pki)).build();
            HttpRequest ping = HttpRequest.newBuilder(URI.create("https://" + address + "/cluster/v1/node")).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + secret).GET().build();
            Histogram h = new Histogram(3);
            for (int i = 0; i < count + 20; i++) { // the first 20 warm the connection up
                long start = System.nanoTime();
                HttpResponse<String> r = http.send(ping, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("node " + nodeId + " answered " + r.statusCode() + ": " + r.body());
                }
                if (i >= 20) {
                    h.recordValue((System.nanoTime() - start) / 1000);
                }
            }
            return new double[]{h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0};
        } catch (Exception e) {
            throw new IllegalStateException("cannot measure a round trip to node " + nodeId + "'s command endpoint: " + e.getMessage(), e);
        }
    }

    private static SSLContext trusting(PkiDirectory pki) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", pki.root().certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
