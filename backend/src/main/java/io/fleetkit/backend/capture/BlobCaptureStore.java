package io.fleetkit.backend.capture;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.specialized.BlockBlobClient;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.fleetkit.protocol.FleetkitException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Capture files as block blobs in an Azure Blob Storage (or Data Lake Storage Gen2) container, through the official SDK: a
 * file's bytes are staged as blocks of at most {@value #BLOCK_BYTES} bytes while its window is open, and the block list is
 * committed when it closes — before that the blob does not exist for a reader
 * (https://learn.microsoft.com/rest/api/storageservices/put-block-list). What a crash leaves staged and uncommitted is
 * never visible, and Azure discards it (after a week); the window is captured again from the checkpoint.
 */
public final class BlobCaptureStore implements CaptureStore {
    /** The block size: what one open file holds in memory at most. */
    static final int BLOCK_BYTES = 4 << 20;
    private final BlobContainerClient container;
    private final int blockBytes;

    private BlobCaptureStore(BlobContainerClient container, int blockBytes) {
        this.container = container;
        this.blockBytes = blockBytes;
    }

    /**
     * The container at {@code containerUrl} ({@code https://ACCOUNT.blob.core.windows.net/CONTAINER}, or an emulator's
     * {@code http://127.0.0.1:10000/devstoreaccount1/CONTAINER}), authorised by a storage connection string, or by a SAS
     * token in the URL when there is none; created if it does not exist.
     *
     * @throws FleetkitException INVALID_INPUT for a URL without a container or no credential; UNAVAILABLE when the
     *                           service does not answer or refuses
     */
    public static BlobCaptureStore connect(String containerUrl, String connectionString) {
        return connect(containerUrl, connectionString, BLOCK_BYTES);
    }

    /** With blocks of {@code blockBytes} (tests stage many small ones). */
    static BlobCaptureStore connect(String containerUrl, String connectionString, int blockBytes) {
        URI url;
        try {
            url = new URI(containerUrl);
        } catch (URISyntaxException e) {
            throw invalid("capture URL '" + containerUrl + "': not a URL (" + e.getReason() + ")");
        }
        if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme()) || url.getHost() == null
                || url.getPath() == null || url.getPath().replaceAll("^/+|/+$", "").isEmpty()) {
            throw invalid("capture URL '" + containerUrl + "': expected https://ACCOUNT.blob.core.windows.net/CONTAINER");
        }
        boolean sas = url.getQuery() != null && url.getQuery().contains("sig=");
        if ((connectionString == null || connectionString.isBlank()) && !sas) {
            throw invalid("capture URL '" + url.getHost() + url.getPath() + "': no credential — set the storage account's connection"
                    + " string in the environment, or give a URL with a SAS token");
        }
        // three tries, 0.5 s then 1 s apart, 30 s each: an open window's blocks are retried by capture itself (from the checkpoint)
        BlobContainerClientBuilder builder = new BlobContainerClientBuilder().httpClient(new JdkHttpClientBuilder().build())
                .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 3, Duration.ofSeconds(30), Duration.ofMillis(500),
                        Duration.ofSeconds(2), null));
        if (connectionString != null && !connectionString.isBlank()) {
            try {
                builder.connectionString(connectionString);
            } catch (IllegalArgumentException e) {
                throw invalid("storage connection string: " + e.getMessage());
            }
        }
        BlobContainerClient container = builder.endpoint(containerUrl).buildClient();
        try {
            container.createIfNotExists();
        } catch (RuntimeException e) { // AzureException, or the HTTP client's own wrapped in a RuntimeException
            throw new FleetkitException(FleetkitException.Kind.UNAVAILABLE, "capture container " + url.getHost() + url.getPath()
                    + ": cannot be reached or created (" + firstLine(e.getMessage()) + ")", e);
        }
        return new BlobCaptureStore(container, blockBytes);
    }

    /** The SDK's client, for reading back. */
    public BlobContainerClient container() {
        return container;
    }

    /** Nothing to clean: what an earlier run staged and never committed is invisible and replaced by the next commit. */
    @Override
    public void prepare(String partitionPath) {
    }

    @Override
    public boolean exists(String name) throws IOException {
        try {
            return container.getBlobClient(name).exists();
        } catch (RuntimeException e) {
            throw new IOException("cannot check blob " + name + ": " + firstLine(e.getMessage()), e);
        }
    }

    @Override
    public CaptureFile create(String name) {
        return new BlockFile(name, container.getBlobClient(name).getBlockBlobClient(), blockBytes);
    }

    @Override
    public String describe() {
        return container.getBlobContainerUrl();
    }

    /** Bytes buffered into blocks, each staged when full; the list committed at the end. */
    private static final class BlockFile extends OutputStream implements CaptureFile {
        private final String name;
        private final BlockBlobClient blob;
        private final int blockBytes;
        private final List<String> blocks = new ArrayList<>();
        private byte[] buffer;
        private int used;

        BlockFile(String name, BlockBlobClient blob, int blockBytes) {
            this.name = name;
            this.blob = blob;
            this.blockBytes = blockBytes;
            this.buffer = new byte[Math.min(blockBytes, 64 * 1024)];
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (used == blockBytes) {
                    stage();
                }
                if (used == buffer.length) {
                    buffer = Arrays.copyOf(buffer, Math.min(blockBytes, buffer.length * 2));
                }
                int n = Math.min(len, buffer.length - used);
                System.arraycopy(b, off, buffer, used, n);
                used += n;
                off += n;
                len -= n;
            }
        }

        private void stage() throws IOException {
            // block ids: Base64, all of one length within a blob
            String id = Base64.getEncoder().encodeToString(String.format("block-%08d", blocks.size()).getBytes(StandardCharsets.US_ASCII));
            try {
                blob.stageBlock(id, BinaryData.fromBytes(Arrays.copyOf(buffer, used)));
            } catch (RuntimeException e) {
                throw new IOException("cannot stage a block of " + name + ": " + firstLine(e.getMessage()), e);
            }
            blocks.add(id);
            used = 0;
        }

        @Override
        public OutputStream out() {
            return this;
        }

        /** Closing the stream stages nothing and commits nothing: {@link #commit} does. */
        @Override
        public void close() {
        }

        @Override
        public void commit() throws IOException {
            if (used > 0) {
                stage();
            }
            try {
                blob.commitBlockList(blocks, true);
            } catch (RuntimeException e) {
                throw new IOException("cannot commit " + name + ": " + firstLine(e.getMessage()), e);
            }
        }

        @Override
        public void abandon() {
            blocks.clear();
            used = 0;
        }

        @Override
        public String name() {
            return name;
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static FleetkitException invalid(String message) {
        return new FleetkitException(FleetkitException.Kind.INVALID_INPUT, message);
    }
}
