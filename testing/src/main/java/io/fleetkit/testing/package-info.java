/** The fixtures every module's tests share: a throw-away PKI (a JUnit 5 extension) and {@code Eventually}. */
package io.fleetkit.testing;
