package io.fleetkit.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a local IoT Hub + Device Provisioning Service — and, unless {@link #backend()} is false, fleetkit's backend behind
 * it (routing, streams, processors, an H2 store, the REST API) — for the annotated test class, with a throw-away factory PKI.
 * Test and lifecycle methods take a {@link Fleetkit} parameter to reach it: its address and id scope, device identities,
 * the TLS settings the official Azure device SDKs need, the device-command port, the backend.
 *
 * <pre>
 * &#64;FleetkitTest
 * class TelemetryIT {
 *     &#64;Test
 *     void aDeviceSends(Fleetkit fleetkit) { DeviceIdentity d = fleetkit.device("dev-1"); … }
 * }
 * </pre>
 *
 * One platform per test class, started before its first use and stopped after the class (its PKI and data deleted).
 */
@Documented
@Inherited
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(FleetkitExtension.class)
public @interface FleetkitTest {
    /**
     * The hub's port on 127.0.0.1; 0 (the default) picks a free one. The official Azure device SDKs always dial 8883: a class
     * that uses them says {@code port = 8883}, and such classes must not run in parallel.
     */
    int port() default 0;

    /**
     * The port of IoT Hub's service API (HTTPS, for the official service SDKs); -1 (the default) serves none. The Java service
     * SDK dials 443 whatever its connection string says: a class that uses it says {@code servicePort = 443}, and such classes
     * must not run in parallel. Needs the backend.
     */
    int servicePort() default -1;

    /** Whether the backend runs behind the hub (default); false for the hub and DPS alone. */
    boolean backend() default true;

    /** The DPS id scope the devices register with. */
    String idScope() default "0ne00000001";
}
