package io.fleetkit.backend.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.UUID;

/**
 * The Azure Storage emulator the tests use (Azurite's Blob service, from npm): {@code FLEETKIT_TEST_AZURITE} (its blob
 * endpoint), by default {@code http://127.0.0.1:10000/devstoreaccount1}, where the test command ({@code ./fleetkit test},
 * {@code .ci/run}) starts one. A test that needs it fails at once with what to do when nothing answers there.
 */
public final class TestAzurite {
    /** Azurite's well-known development account key (https://learn.microsoft.com/azure/storage/common/storage-use-azurite). */
    private static final String DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private TestAzurite() {
    }

    /** The blob endpoint, checked to take connections. */
    public static String blobEndpoint() {
        String endpoint = System.getenv().getOrDefault("FLEETKIT_TEST_AZURITE", "http://127.0.0.1:10000/devstoreaccount1");
        URI uri = URI.create(endpoint);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
        } catch (IOException e) {
            throw new AssertionError("no Azure Storage emulator answers at " + endpoint + " (FLEETKIT_TEST_AZURITE): start one with"
                    + " 'node_modules/.bin/azurite-blob --blobHost 127.0.0.1 --blobPort 10000 --skipApiVersionCheck' after 'npm ci'"
                    + " (./fleetkit test does) — " + e, e);
        }
        return endpoint;
    }

    /** The emulator's connection string (its development account). */
    public static String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + DEV_KEY + ";BlobEndpoint=" + blobEndpoint() + ";";
    }

    /** The URL of a new container of the test's own (created on first use). */
    public static String newContainerUrl(String prefix) {
        return blobEndpoint() + "/" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
