package io.fleetkit.backend.serviceapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.pki.PrivateFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The hub's shared access policies, kept owner-only in the data directory ({@value #FILE}) and made on first use with IoT
 * Hub's defaults — {@code iothubowner}, {@code service}, {@code device}, {@code registryRead}, {@code registryReadWrite}
 * (https://learn.microsoft.com/azure/iot-hub/authenticate-authorize-sas#access-control-and-permissions) — each with two
 * random 256-bit keys. Edit the file to rotate keys or add policies; the server reads it when it starts.
 */
public final class SharedAccessPolicies {
    public static final String FILE = "service-policies.json";
    public static final String OWNER = "iothubowner";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, SharedAccessPolicy> byName;
    private final List<String> order;

    public SharedAccessPolicies(List<SharedAccessPolicy> policies) {
        Map<String, SharedAccessPolicy> m = new LinkedHashMap<>();
        for (SharedAccessPolicy p : policies) {
            if (m.put(p.name(), p) != null) {
                throw new IllegalArgumentException("policy '" + p.name() + "' is defined twice");
            }
        }
        if (m.isEmpty()) {
            throw new IllegalArgumentException("no shared access policies");
        }
        this.byName = Map.copyOf(m);
        this.order = List.copyOf(m.keySet());
    }

    /** IoT Hub's five default policies with new random keys. */
    public static SharedAccessPolicies defaults() {
        return new SharedAccessPolicies(List.of(
                policy(OWNER, EnumSet.of(Permission.REGISTRY_WRITE, Permission.SERVICE_CONNECT, Permission.DEVICE_CONNECT)),
                policy("service", EnumSet.of(Permission.SERVICE_CONNECT)),
                policy("device", EnumSet.of(Permission.DEVICE_CONNECT)),
                policy("registryRead", EnumSet.of(Permission.REGISTRY_READ)),
                policy("registryReadWrite", EnumSet.of(Permission.REGISTRY_WRITE))));
    }

    private static SharedAccessPolicy policy(String name, Set<Permission> permissions) {
        return new SharedAccessPolicy(name, newKey(), newKey(), permissions);
    }

    static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /**
     * The policies kept in {@code dataDir}/{@value #FILE}, made (owner-only) with the defaults when there are none.
     *
     * @throws IllegalArgumentException saying where and what, when the file cannot be read as policies
     */
    public static SharedAccessPolicies loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                SharedAccessPolicies made = defaults();
                PrivateFiles.createDirectories(dataDir);
                PrivateFiles.write(file, made.toJson());
                return made;
            }
            PrivateFiles.restrict(file);
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file + ": " + e.getMessage(), e);
        }
    }

    static SharedAccessPolicies parse(String text, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (root == null || !root.path("policies").isArray()) {
            throw new IllegalArgumentException(where + ": expected {\"policies\":[{\"name\":…,\"primaryKey\":…,\"secondaryKey\":…,\"rights\":…}]}");
        }
        List<SharedAccessPolicy> policies = new ArrayList<>();
        int i = 0;
        for (JsonNode p : root.get("policies")) {
            String at = where + ": policies[" + i++ + "]";
            try {
                Set<Permission> rights = EnumSet.noneOf(Permission.class);
                for (String r : p.path("rights").asText("").split(",")) {
                    if (!r.isBlank()) {
                        rights.add(Permission.ofAzureName(r.strip()));
                    }
                }
                policies.add(new SharedAccessPolicy(text(p, "name", at), text(p, "primaryKey", at), text(p, "secondaryKey", at), rights));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().startsWith(where) ? e.getMessage() : at + ": " + e.getMessage());
            }
        }
        try {
            return new SharedAccessPolicies(policies);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode p, String field, String at) {
        JsonNode v = p.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(at + ": '" + field + "' missing or not a string");
        }
        return v.asText();
    }

    String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("policies");
        for (String name : order) {
            SharedAccessPolicy p = byName.get(name);
            list.addObject().put("name", p.name()).put("primaryKey", p.primaryKey()).put("secondaryKey", p.secondaryKey())
                    .put("rights", String.join(", ", EnumSet.copyOf(p.permissions()).stream().map(Permission::azureName).toList()));
        }
        return root.toPrettyString() + "\n";
    }

    public Optional<SharedAccessPolicy> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<SharedAccessPolicy> all() {
        return order.stream().map(byName::get).toList();
    }

    /**
     * The service connection string of a policy, as the Azure portal shows it:
     * {@code HostName=…;SharedAccessKeyName=…;SharedAccessKey=…}.
     */
    public String connectionString(String hostName, String policy) {
        SharedAccessPolicy p = find(policy).orElseThrow(() -> new IllegalArgumentException("no policy '" + policy + "'"));
        return "HostName=" + hostName + ";SharedAccessKeyName=" + p.name() + ";SharedAccessKey=" + p.primaryKey();
    }
}
