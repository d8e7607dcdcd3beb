// fleetkit dashboard, fleet page: one server-sent event a second; rates are differences of two snapshots,
// charts keep the last five minutes (aggregates only, so 10,000 devices cost what 10 do).
"use strict";

const fleet = { recent: [], counts: null, latency: null, stages: null };
const RATE_WINDOW = 5; // seconds: devices send in bursts, so a one-second difference jumps between 0 and peaks
const STATES = ["OFF", "PROVISIONING", "CONNECTING", "ONLINE", "REBOOTING", "BACKOFF", "GAVE_UP"];
const WINDOW = 300;

function startFleetEvents() {
  const events = new EventSource("/api/v1/fleet/events?access_token=" + encodeURIComponent(session.token));
  events.addEventListener("fleet", (e) => {
    $("connection").textContent = "live";
    $("connection").className = "badge live";
    showFleet(JSON.parse(e.data));
  });
  events.onerror = () => {
    $("connection").textContent = "reconnecting…";
    $("connection").className = "badge down";
  };
}

function showFleet(f) {
  if (!fleet.counts) {
    fleet.counts = chart($("chart"), [{}, { label: "connected", stroke: "#2e6bd9" },
      { label: "telemetry/s (5 s)", stroke: "#2e8540", scale: "rate" }, { label: "stored/s (5 s)", stroke: "#a05a00", scale: "rate" }],
      [{}, { label: "devices" }, { side: 1, scale: "rate", label: "msg/s" }], WINDOW);
    // a second without messages has no latency: the lines span such gaps
    fleet.latency = chart($("latency-chart"), [{}, { label: "PUBACK p50", stroke: "#2e6bd9", spanGaps: true },
      { label: "PUBACK p99", stroke: "#7aa5f0", spanGaps: true }, { label: "hub→stored p50", stroke: "#a05a00", spanGaps: true },
      { label: "hub→stored p99", stroke: "#e0a060", spanGaps: true }], [{}, { label: "ms" }], WINDOW);
    // stacked by hand: each area is the sum of its stage and those below it, drawn largest first
    fleet.stages = chart($("stages-chart"), [{},
      { label: "+ commit (handled→stored)", stroke: "#a05a00", fill: "#e0a06080", spanGaps: true },
      { label: "+ handler (handed→handled)", stroke: "#2e8540", fill: "#7cc08a80", spanGaps: true },
      { label: "+ stream wait (appended→handed)", stroke: "#7a52c7", fill: "#b9a2e880", spanGaps: true },
      { label: "hub (accepted→appended)", stroke: "#2e6bd9", fill: "#7aa5f080", spanGaps: true }], [{}, { label: "ms" }], WINDOW);
  }
  const now = epochSeconds(f.time);
  const telemetry = f.streamRecords.telemetry ?? 0;
  const stored = f.processed.store ?? 0;
  fleet.recent.push({ time: now, telemetry, stored });
  if (fleet.recent.length > RATE_WINDOW + 1) fleet.recent.shift();
  const first = fleet.recent[0];
  const dt = now - first.time;
  const rate = dt > 0 ? Math.max(0, (telemetry - first.telemetry) / dt) : 0;
  const storedRate = dt > 0 ? Math.max(0, (stored - first.stored) / dt) : 0;
  $("connected").textContent = f.devicesConnected;
  $("registered").textContent = f.devicesRegistered;
  $("telemetry-rate").textContent = rate.toFixed(0);
  $("stored").textContent = stored;
  $("dps429").textContent = f.throttled.dps429;
  $("throttle").textContent = f.throttleProfile;
  showStates(f.swarm);
  showErrors(f);
  push(fleet.counts, [now, f.devicesConnected, rate, storedRate]);
  const puback = (f.swarm && f.swarm.pubackMs) || {};
  const e2e = f.endToEndMs || {};
  push(fleet.latency, [now, puback.p50 ?? null, puback.p99 ?? null, e2e.p50 ?? null, e2e.p99 ?? null]);
  showStages(now, f.stages || []);
}

/** The telemetry path's stages (the hub's and the store processor's) stacked, and every stage in the table. */
function showStages(now, stages) {
  const p50 = (part, stage) => {
    const s = stages.find((x) => x.part === part && x.stage === stage);
    return s && s.messages > 0 ? s.p50 : null;
  };
  const appended = p50("hub", "appended");
  const handed = p50("store", "handed");
  const handled = p50("store", "handled");
  const stored = p50("store", "stored");
  if ([appended, handed, handled, stored].some((v) => v === null)) {
    push(fleet.stages, [now, null, null, null, null]);
  } else {
    const wait = Math.max(0, handed - appended); // handed counts from acceptance: the stream's share is what is past the append
    push(fleet.stages, [now, appended + wait + handled + stored, appended + wait + handled, appended + wait, appended]);
  }
  fillTable($("stages"), stages, (s) => [s.part, s.from + " → " + s.to, s.messages, s.p50.toFixed(2), s.p99.toFixed(2),
    s.p999.toFixed(2)]);
}

function push(c, values) {
  values.forEach((v, i) => c.data[i].push(v));
  if (c.data[0].length > WINDOW) c.data.forEach((s) => s.shift());
  if (!$("page-fleet").hidden) c.plot.setData(c.data);
}

function showStates(swarm) {
  const box = $("states");
  if (!swarm) return;
  box.replaceChildren();
  const total = Math.max(1, Object.values(swarm.states).reduce((a, b) => a + b, 0));
  for (const s of STATES.concat(Object.keys(swarm.states).filter((k) => !STATES.includes(k)))) {
    const n = swarm.states[s] ?? 0;
    const div = document.createElement("div");
    div.className = "state state-" + s.toLowerCase();
    div.dataset.state = s;
    div.title = s + ": " + n;
    const label = document.createElement("span");
    label.textContent = s.toLowerCase().replace("_", " ") + " " + n;
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.width = (100 * n / total).toFixed(1) + "%";
    div.append(label, bar);
    box.appendChild(div);
  }
}

function showErrors(f) {
  const rows = [];
  const t = f.throttled;
  rows.push(["DPS answered 429 (throttled)", t.dps429], ["hub connects refused (throttled)", t.connectsRefused],
    ["hub sends refused (throttled)", t.sendsRefused], ["messages no route took", f.droppedMessages ?? 0]);
  for (const [group, n] of Object.entries(f.processingFailures || {})) rows.push(["processor '" + group + "' failures", n]);
  for (const [cause, n] of Object.entries((f.swarm && f.swarm.failures) || {})) rows.push(["device: " + cause, n]);
  fillTable($("errors"), rows, (r) => r);
}

pages.fleet = {
  show() {
    if (fleet.counts) {
      fleet.counts.plot.setData(fleet.counts.data);
      fleet.latency.plot.setData(fleet.latency.data);
      fleet.stages.plot.setData(fleet.stages.data);
    }
  },
};
