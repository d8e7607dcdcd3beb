package io.fleetkit.bench.load;

import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connect storm: N devices with their own certificates open MQTT/TLS connections to a hub in a
 * separate JVM ({@link HubServerMain}), at most W handshakes in flight (a closed loop), and stay
 * connected, idle. Reports connections accepted per second and the hub's heap per idle connection
 * (used heap after GC, before and after). Repeats R times and prints each run and the median.
 *
 * <p>Arguments: {@code [devices=10000] [window=200] [runs=3]}.
 */
public final class ConnectStorm {
    private ConnectStorm() {
    }

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int window = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path tmp = Files.createTempDirectory("fleetkit-storm");
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = PkiDirectory.init(tmp.resolve("pki"), PkiDirectory.DEFAULT_SERVER_SANS, issuer);
        ConcurrentLinkedQueue<DeviceIdentity> issued = new ConcurrentLinkedQueue<>();
        var stats = FactoryBatch.issue(issuer, pki.intermediate(), FactoryBatch.ids("storm-", 1, devices), KeyAlgorithm.EC_P256,
                Runtime.getRuntime().availableProcessors(), issued::add, (d, t) -> { });
        System.out.printf("issued %d device identities (%.0f/s)%n", devices, stats.certificatesPerSecond());
        List<DeviceIdentity> ids = new ArrayList<>(issued);
        List<SslContext> contexts = new ArrayList<>(ids.size());
        for (DeviceIdentity d : ids) {
            contexts.add(SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .keyManager(d.credential().key(), d.credential().chain().toArray(new X509Certificate[0]))
                    .trustManager(pki.root().certificate()).protocols("TLSv1.3").build());
        }
        double[] rates = new double[runs];
        double[] perConnection = new double[runs];
        for (int r = 0; r < runs; r++) {
            Process server = new ProcessBuilder(javaBin(), "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                    HubServerMain.class.getName(), pki.dir().toString(), Integer.toString(devices), "storm-")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader fromServer = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            PrintWriter toServer = new PrintWriter(server.getOutputStream(), true, StandardCharsets.UTF_8);
            int port = Integer.parseInt(expect(fromServer, "READY"));
            toServer.println("heap");
            long before = Long.parseLong(expect(fromServer, "HEAP"));
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
            List<Channel> open = new ArrayList<>(devices);
            try {
                long start = System.nanoTime();
                int failed = storm(group, port, ids, contexts, window, open);
                double seconds = (System.nanoTime() - start) / 1e9;
                rates[r] = open.size() / seconds;
                toServer.println("connected");
                int connected = Integer.parseInt(expect(fromServer, "CONNECTED"));
                toServer.println("heap");
                long after = Long.parseLong(expect(fromServer, "HEAP"));
                perConnection[r] = (after - before) / (double) Math.max(1, connected);
                System.out.printf("run %d: %d connected (%d failed) in %.2f s = %.0f connections/s; hub heap %d MB -> %d MB = %.1f KB per idle connection%n",
                        r + 1, connected, failed, seconds, rates[r], before >> 20, after >> 20, perConnection[r] / 1024);
            } finally {
                for (Channel c : open) {
                    c.close();
                }
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
                toServer.println("quit");
                server.waitFor(30, TimeUnit.SECONDS);
                server.destroyForcibly();
            }
        }
        System.out.printf("median of %d runs: %.0f connections/s (TLS 1.3, client certificates, window %d), %.1f KB hub heap per idle connection at %d connections%n",
                runs, median(rates), window, median(perConnection) / 1024, devices);
    }

    private static int storm(EventLoopGroup group, int port, List<DeviceIdentity> ids, List<SslContext> contexts, int window,
                             List<Channel> open) throws InterruptedException {
        Semaphore inFlight = new Semaphore(window);
        AtomicInteger failed = new AtomicInteger();
        List<CompletableFuture<Channel>> all = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            inFlight.acquire();
            DeviceIdentity d = ids.get(i);
            SslContext ssl = contexts.get(i);
            CompletableFuture<Channel> connected = new CompletableFuture<>();
            String username = HubUsername.of(HubHostName.of("127.0.0.1"), d.deviceId(), "fleetkit-bench").format();
            new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            SslHandler tls = ssl.newHandler(ch.alloc(), "127.0.0.1", port);
                            ch.pipeline().addLast(tls, new MqttDecoder(), MqttEncoder.INSTANCE, new SimpleChannelInboundHandler<MqttMessage>() {
                                @Override
                                public void channelActive(ChannelHandlerContext ctx) {
                                    tls.handshakeFuture().addListener(f -> {
                                        if (f.isSuccess()) {
                                            ctx.writeAndFlush(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1)
                                                    .clientId(d.deviceId().value()).hasUser(true).username(username)
                                                    .cleanSession(true).keepAlive(0).build());
                                        } else {
                                            connected.completeExceptionally(f.cause());
                                        }
                                    });
                                }

                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
                                    if (msg instanceof MqttConnAckMessage ack
                                            && ack.variableHeader().connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                                        connected.complete(ctx.channel());
                                    } else {
                                        connected.completeExceptionally(new IllegalStateException("refused: " + msg));
                                    }
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    connected.completeExceptionally(new IllegalStateException("closed"));
                                }
                            });
                        }
                    }).connect("127.0.0.1", port).addListener(f -> {
                        if (!f.isSuccess()) {
                            connected.completeExceptionally(f.cause());
                        }
                    });
            connected.whenComplete((c, e) -> {
                inFlight.release();
                if (e != null) {
                    failed.incrementAndGet();
                }
            });
            all.add(connected);
        }
        for (CompletableFuture<Channel> f : all) {
            try {
                open.add(f.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                // counted in failed
            }
        }
        return failed.get();
    }

    private static String expect(BufferedReader in, String prefix) throws java.io.IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith(prefix + " ")) {
                return line.substring(prefix.length() + 1).trim();
            }
        }
        throw new IllegalStateException("the hub process ended before '" + prefix + "'");
    }

    private static String javaBin() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
