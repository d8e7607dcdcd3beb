/**
 * The factory PKI on BouncyCastle: root and intermediate CAs, server and device certificates (EC P-256 by default, CN = the
 * registration id), the PKI directory layout of {@code fleetkit pki}, PEM and PKCS#12, TLS contexts for devices and the
 * server, and the presence signatures of ownership claims.
 */
package io.fleetkit.protocol.pki;
