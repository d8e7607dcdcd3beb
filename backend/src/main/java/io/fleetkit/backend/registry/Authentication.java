package io.fleetkit.backend.registry;

/** How a device proves its identity to the hub. */
public enum Authentication {
    /** A certificate that chains to an enrollment group's CA. */
    X509_CA_SIGNED,
    /** A certificate registered individually (by thumbprint or the certificate itself). */
    X509_SELF_SIGNED
}
