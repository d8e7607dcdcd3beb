package io.fleetkit.backend.store;

import io.fleetkit.protocol.id.DeviceId;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * What the nodes of a hub cluster share about each other (PostgreSQL): the nodes with their command addresses and heartbeats,
 * which node holds each device's connection, and the secret nodes present to each other. A node is live while its heartbeat
 * (the database's clock) is younger than the liveness window; a device whose connection row names a node that is not live is
 * not connected. Thread-safe; blocking.
 */
public final class ClusterStore {
    private final Database db;
    private final Duration liveness;

    /** A node as it registered: its id, the process instance that holds the id, its role and command address. */
    public record Node(int nodeId, String instance, String role, String address, Instant heartbeat, boolean live) {
    }

    /** Where a device is connected: the node, its command address, the connection, the certificate's DER (may be null). */
    public record Holder(DeviceId deviceId, int nodeId, String address, String connectionId, byte[] certificate) {
    }

    /** The connection a newer one replaced. */
    public record Replaced(int nodeId, String connectionId) {
    }

    /** @param liveness how old a heartbeat may be for its node to count as live */
    public ClusterStore(Database db, Duration liveness) {
        if (db.dialect() != Database.Dialect.POSTGRESQL) {
            throw new StoreException("a hub cluster keeps its shared state in PostgreSQL (--database-url jdbc:postgresql://…); "
                    + "H2 serves one process only");
        }
        this.db = db;
        this.liveness = liveness;
    }

    public Duration liveness() {
        return liveness;
    }

    /** The secret every node of this database presents to the others; created (random, 256 bits) by the first node that asks. */
    public String secret() {
        String fresh = HexFormat.of().formatHex(randomBytes(32));
        Sql.update(db, "create the cluster secret", "INSERT INTO cluster_secrets (name, secret) VALUES ('node-token', ?) ON CONFLICT DO NOTHING", fresh);
        return Sql.query(db, "read the cluster secret", "SELECT secret FROM cluster_secrets WHERE name = 'node-token'", rs -> rs.getString(1)).get(0);
    }

    public Optional<Node> node(int nodeId) {
        return nodes("WHERE node_id = ?", nodeId).stream().findFirst();
    }

    /** Every node that registered, live or not, by id. */
    public List<Node> nodes() {
        return nodes("ORDER BY node_id");
    }

    private List<Node> nodes(String where, Object... args) {
        return Sql.query(db, "read the cluster's nodes", "SELECT node_id, instance, role, address, heartbeat, "
                + "heartbeat > CURRENT_TIMESTAMP - CAST(? AS INTERVAL) FROM cluster_nodes " + where,
                rs -> new Node(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), Sql.instant(rs, 5).orElseThrow(), rs.getBoolean(6)),
                prepend(interval(), args));
    }

    /**
     * Registers this process as node {@code nodeId} (taking the id over from an earlier, dead instance), and forgets the
     * connections an earlier instance of it held: they ended with it (a node restarted within its liveness window, as a
     * supervisor restarts a crashed process, is never swept).
     *
     * @return the devices whose connections were forgotten, for the node to report disconnected
     */
    public List<DeviceId> register(int nodeId, String instance, String role, String address) {
        return Sql.transaction(db, "register node " + nodeId, c -> {
            int updated = Sql.update(c, "UPDATE cluster_nodes SET instance = ?, role = ?, address = ?, started = CURRENT_TIMESTAMP, "
                    + "heartbeat = CURRENT_TIMESTAMP WHERE node_id = ?", instance, role, address, nodeId);
            if (updated == 0) {
                Sql.update(c, "INSERT INTO cluster_nodes (node_id, instance, role, address, started, heartbeat) "
                        + "VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", nodeId, instance, role, address);
            }
            return Sql.query(c, "DELETE FROM device_connections WHERE node_id = ? RETURNING device_id", rs -> DeviceId.of(rs.getString(1)), nodeId);
        });
    }

    /** Says node {@code nodeId} is alive; false when another instance has taken the id over (this one must stop). */
    public boolean heartbeat(int nodeId, String instance) {
        return Sql.transaction(db, "write node " + nodeId + "'s heartbeat", c -> {
            unsynchronized(c);
            return Sql.update(c, "UPDATE cluster_nodes SET heartbeat = CURRENT_TIMESTAMP WHERE node_id = ? AND instance = ?", nodeId, instance) == 1;
        });
    }

    /**
     * Connections and heartbeats are commits of their own that need not wait for the disk: what a database crash loses of them
     * is state that ends with the connections anyway (a lost row sends a command to a node that answers "not here", a lost
     * delete leaves a row the device's next connection replaces). PostgreSQL's {@code synchronous_commit = off} for just these
     * transactions keeps them off the WAL flush every connect would otherwise wait for.
     */
    private static void unsynchronized(java.sql.Connection c) throws java.sql.SQLException {
        Sql.update(c, "SET LOCAL synchronous_commit TO OFF");
    }

    /** A node that stops cleanly leaves: its heartbeat ends now, and its connections (closed with it) are forgotten. */
    public void leave(int nodeId, String instance) {
        Sql.transaction(db, "unregister node " + nodeId, c -> {
            if (Sql.update(c, "UPDATE cluster_nodes SET heartbeat = CURRENT_TIMESTAMP - INTERVAL '1' DAY WHERE node_id = ? AND instance = ?",
                    nodeId, instance) == 1) {
                Sql.update(c, "DELETE FROM device_connections WHERE node_id = ?", nodeId);
            }
            return null;
        });
    }

    /**
     * Records that {@code deviceId} is connected to node {@code nodeId} on {@code connectionId}: the newest connection wins.
     *
     * @return the connection this one replaced, if it was held by another connection (on any node)
     */
    public Optional<Replaced> connected(DeviceId deviceId, int nodeId, String connectionId, byte[] certificate) {
        return Sql.transaction(db, "record the connection of " + deviceId, c -> {
            unsynchronized(c);
            // inserting first makes two simultaneous first connections meet on the row: the second waits, then replaces the first
            if (Sql.update(c, "INSERT INTO device_connections (device_id, node_id, connection_id, since, certificate) "
                    + "VALUES (?, ?, ?, CURRENT_TIMESTAMP, ?) ON CONFLICT DO NOTHING", deviceId.value(), nodeId, connectionId, certificate) == 1) {
                return Optional.<Replaced>empty();
            }
            Optional<Replaced> previous = Sql.query(c, "SELECT node_id, connection_id FROM device_connections WHERE device_id = ? FOR UPDATE",
                    rs -> new Replaced(rs.getInt(1), rs.getString(2)), deviceId.value()).stream().findFirst();
            Sql.update(c, "UPDATE device_connections SET node_id = ?, connection_id = ?, since = CURRENT_TIMESTAMP, certificate = ? "
                    + "WHERE device_id = ?", nodeId, connectionId, certificate, deviceId.value());
            return previous.filter(p -> !p.connectionId().equals(connectionId));
        });
    }

    /** The connection ended: its row goes unless a newer connection already replaced it. */
    public boolean disconnected(DeviceId deviceId, String connectionId) {
        return Sql.transaction(db, "record the disconnection of " + deviceId, c -> {
            unsynchronized(c);
            return Sql.update(c, "DELETE FROM device_connections WHERE device_id = ? AND connection_id = ?", deviceId.value(), connectionId) == 1;
        });
    }

    /** Where {@code deviceId} is connected, if on a live node. */
    public Optional<Holder> holder(DeviceId deviceId) {
        return Sql.query(db, "find the node of " + deviceId, "SELECT d.node_id, n.address, d.connection_id, d.certificate "
                        + "FROM device_connections d JOIN cluster_nodes n ON n.node_id = d.node_id "
                        + "WHERE d.device_id = ? AND n.heartbeat > CURRENT_TIMESTAMP - CAST(? AS INTERVAL)",
                rs -> new Holder(deviceId, rs.getInt(1), rs.getString(2), rs.getString(3), rs.getBytes(4)), deviceId.value(), interval())
                .stream().findFirst();
    }

    /** Devices connected to live nodes. */
    public long connectedCount() {
        return Sql.query(db, "count the connected devices", "SELECT COUNT(*) FROM device_connections d JOIN cluster_nodes n "
                + "ON n.node_id = d.node_id WHERE n.heartbeat > CURRENT_TIMESTAMP - CAST(? AS INTERVAL)", rs -> rs.getLong(1), interval()).get(0);
    }

    /** Devices connected per live node. */
    public java.util.Map<Integer, Long> connectedByNode() {
        java.util.Map<Integer, Long> out = new java.util.TreeMap<>();
        Sql.query(db, "count the connected devices by node", "SELECT d.node_id, COUNT(*) FROM device_connections d JOIN cluster_nodes n "
                        + "ON n.node_id = d.node_id WHERE n.heartbeat > CURRENT_TIMESTAMP - CAST(? AS INTERVAL) GROUP BY d.node_id",
                rs -> out.put(rs.getInt(1), rs.getLong(2)), interval());
        return out;
    }

    /**
     * Forgets, at most {@code limit} at a time, the connections of nodes that are no longer live (killed: they could not say
     * so themselves), and returns the devices forgotten — each by exactly one caller, so its disconnect is reported once.
     */
    public List<DeviceId> sweepDeadNodes(int limit) {
        return Sql.query(db, "forget the connections of dead nodes",
                "DELETE FROM device_connections WHERE device_id IN (SELECT d.device_id FROM device_connections d JOIN cluster_nodes n "
                        + "ON n.node_id = d.node_id WHERE n.heartbeat <= CURRENT_TIMESTAMP - CAST(? AS INTERVAL) LIMIT ? FOR UPDATE OF d SKIP LOCKED) "
                        + "RETURNING device_id",
                rs -> DeviceId.of(rs.getString(1)), interval(), limit);
    }

    private String interval() {
        return liveness.toMillis() + " milliseconds";
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
