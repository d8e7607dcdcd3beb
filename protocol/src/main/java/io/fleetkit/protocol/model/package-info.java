/**
 * Device model files: telemetry fields, units, value generators and the methods a model supports, read strictly (errors name
 * the line and column), and the built-in models.
 */
package io.fleetkit.protocol.model;
