/**
 * Direct methods as a contract: the reference methods a fleetkit device answers, their request and response shapes and the
 * error bodies, checked on both sides.
 */
package io.fleetkit.protocol.method;
