package io.fleetkit.backend.serviceapi;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a service request's {@code Authorization: SharedAccessSignature sr=…&sig=…&se=…&skn=…} as IoT Hub does
 * (https://learn.microsoft.com/azure/iot-hub/authenticate-authorize-sas#security-tokens): the policy ({@code skn}) exists,
 * the signature is the HMAC-SHA256 of {@code sr + "\n" + se} under one of its keys, the token has not expired ({@code se},
 * seconds since the epoch), the resource ({@code sr}) is this hub or a path of it above the request's, and the policy has
 * the permission the operation needs. Every refusal is IoT Hub's 401 (401002 IotHubUnauthorizedAccess), with what was
 * wrong in the message. Cheap enough for the event loop (one HMAC).
 */
final class SasAuthenticator {
    private static final String SCHEME = "SharedAccessSignature ";
    private final SharedAccessPolicies policies;
    private final List<String> hostNames;
    private final Clock clock;

    /** @param hostNames the names this hub answers to (the {@code HostName} of its connection strings), lower-cased for comparison */
    SasAuthenticator(SharedAccessPolicies policies, List<String> hostNames, Clock clock) {
        this.policies = policies;
        this.hostNames = hostNames.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        this.clock = clock;
    }

    /**
     * @param path the request's path, e.g. {@code /devices/d1}
     * @return the policy that signed the token
     * @throws IotHubError 401 saying what was wrong
     */
    SharedAccessPolicy authenticate(String authorization, String path, Permission needed) {
        if (authorization == null || authorization.isBlank()) {
            throw IotHubError.unauthorized("no Authorization header (expected 'SharedAccessSignature sr=…&sig=…&se=…&skn=…')");
        }
        if (!authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw IotHubError.unauthorized("the Authorization header is not a shared access signature "
                    + "(expected 'SharedAccessSignature sr=…&sig=…&se=…&skn=…'); this API takes the keys of the hub's shared access policies");
        }
        Map<String, String> fields = new HashMap<>();
        for (String part : authorization.substring(SCHEME.length()).strip().split("&")) {
            int eq = part.indexOf('=');
            if (eq <= 0 || fields.put(part.substring(0, eq).toLowerCase(Locale.ROOT), part.substring(eq + 1)) != null) {
                throw IotHubError.unauthorized("malformed shared access signature: '" + abbreviate(part) + "' is not one name=value of sr, sig, se, skn");
            }
        }
        String sr = required(fields, "sr");
        String sig = required(fields, "sig");
        String se = required(fields, "se");
        String skn = fields.get("skn");
        if (skn == null || skn.isEmpty()) {
            throw IotHubError.unauthorized("the token names no shared access policy (skn): a device's token does not open the service API");
        }
        String policyName = decode(skn);
        SharedAccessPolicy policy = policies.find(policyName)
                .orElseThrow(() -> IotHubError.unauthorized("no shared access policy '" + policyName + "' on this hub"));
        long expiry;
        try {
            expiry = Long.parseLong(se);
        } catch (NumberFormatException e) {
            throw IotHubError.unauthorized("se: expected the expiry in seconds since the epoch, was '" + abbreviate(se) + "'");
        }
        long now = clock.instant().getEpochSecond();
        if (expiry <= now) {
            throw IotHubError.unauthorized("the token expired " + (now - expiry) + " s ago (se=" + expiry + ")");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(decode(sig));
        } catch (IllegalArgumentException e) {
            throw IotHubError.unauthorized("sig: not base64");
        }
        String signed = sr + "\n" + se;
        if (!signedBy(policy.primaryKey(), signed, signature) && !signedBy(policy.secondaryKey(), signed, signature)) {
            throw IotHubError.unauthorized("the signature does not match policy '" + policyName + "' (a wrong or rotated key?)");
        }
        checkResource(decode(sr), path);
        if (!policy.allows(needed)) {
            throw IotHubError.unauthorized("policy '" + policyName + "' does not grant " + needed.azureName() + ", which this operation needs");
        }
        return policy;
    }

    private void checkResource(String resource, String path) {
        String r = resource.toLowerCase(Locale.ROOT);
        if (r.startsWith("https://")) {
            r = r.substring("https://".length());
        }
        int slash = r.indexOf('/');
        String host = slash < 0 ? r : r.substring(0, slash);
        String under = slash < 0 ? "" : r.substring(slash);
        if (!hostNames.contains(host)) {
            throw IotHubError.unauthorized("the token is for '" + resource + "', not this hub (" + String.join(", ", hostNames) + ")");
        }
        String p = path.toLowerCase(Locale.ROOT);
        if (!under.isEmpty() && !under.equals("/") && !(p.equals(under) || p.startsWith(under.endsWith("/") ? under : under + "/"))) {
            throw IotHubError.unauthorized("the token is for '" + resource + "', which does not cover " + path);
        }
    }

    private static boolean signedBy(String key, String text, byte[] signature) {
        return MessageDigest.isEqual(hmac(key, text), signature);
    }

    private static byte[] hmac(String base64Key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Key), "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private static String required(Map<String, String> fields, String name) {
        String v = fields.get(name);
        if (v == null || v.isEmpty()) {
            throw IotHubError.unauthorized("malformed shared access signature: no '" + name + "'");
        }
        return v;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw IotHubError.unauthorized("malformed shared access signature: bad %-encoding in '" + abbreviate(s) + "'");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    /** A token for {@code resource} signed with {@code policy}'s primary key, valid until {@code expiry} (epoch seconds): for tests and tools. */
    static String token(SharedAccessPolicy policy, String resource, long expiry) {
        String sr = java.net.URLEncoder.encode(resource.toLowerCase(Locale.ROOT), StandardCharsets.UTF_8);
        String sig = Base64.getEncoder().encodeToString(hmac(policy.primaryKey(), sr + "\n" + expiry));
        return SCHEME + "sr=" + sr + "&sig=" + java.net.URLEncoder.encode(sig, StandardCharsets.UTF_8) + "&se=" + expiry + "&skn=" + policy.name();
    }
}
