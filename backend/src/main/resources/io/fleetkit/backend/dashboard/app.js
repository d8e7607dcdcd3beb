// fleetkit dashboard: plain JavaScript, no build step. The token comes from the URL fragment
// (#token=…, never sent to the server), the session, or the login form.
"use strict";

const state = { token: null, last: null, samples: [[], [], []], nextAfter: null };
const $ = (id) => document.getElementById(id);

function token() {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, "").replace(/^[a-z]+&/, ""));
  const fromUrl = fragment.get("token");
  if (fromUrl) {
    sessionStorage.setItem("fleetkit-token", fromUrl);
    history.replaceState(null, "", location.pathname + "#fleet");
  }
  return sessionStorage.getItem("fleetkit-token");
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Authorization": "Bearer " + state.token, "Content-Type": "application/json", ...(options.headers || {}) },
  });
  const body = response.status === 204 ? null : await response.json();
  if (response.status === 401) {
    showLogin(body.detail);
  }
  return { status: response.status, body };
}

function showLogin(why) {
  $("login").hidden = false;
  $("login-error").textContent = why || "";
}

// --- fleet: a server-sent event every second, rates from the difference of two snapshots ---

function startFleet() {
  const chart = new uPlot({
    width: Math.min(1100, window.innerWidth - 60), height: 260,
    series: [{}, { label: "connected", stroke: "#2e6bd9" }, { label: "telemetry/s", stroke: "#2e8540", scale: "rate" }],
    axes: [{}, { label: "devices" }, { side: 1, scale: "rate", label: "msg/s" }],
  }, state.samples, $("chart"));
  const events = new EventSource("/api/v1/fleet/events?access_token=" + encodeURIComponent(state.token));
  events.addEventListener("fleet", (e) => {
    const f = JSON.parse(e.data);
    $("connection").textContent = "live";
    $("connection").className = "badge live";
    $("connected").textContent = f.devicesConnected;
    $("registered").textContent = f.devicesRegistered;
    $("stored").textContent = f.processed.store ?? 0;
    $("dps429").textContent = f.throttled.dps429;
    $("throttle").textContent = f.throttleProfile;
    const now = Date.parse(f.time) / 1000;
    let rate = 0;
    if (state.last) {
      const dt = now - state.last.time;
      rate = dt > 0 ? ((f.streamRecords.telemetry ?? 0) - state.last.telemetry) / dt : 0;
    }
    state.last = { time: now, telemetry: f.streamRecords.telemetry ?? 0 };
    $("telemetry-rate").textContent = rate.toFixed(0);
    const [t, connected, rates] = state.samples;
    t.push(now); connected.push(f.devicesConnected); rates.push(Math.max(0, rate));
    if (t.length > 300) { t.shift(); connected.shift(); rates.shift(); } // five minutes
    chart.setData(state.samples);
  });
  events.onerror = () => {
    $("connection").textContent = "reconnecting…";
    $("connection").className = "badge down";
  };
}

// --- devices: a paged list, one device's state, a direct method ---

async function loadDevices(after, append) {
  const query = "limit=50" + (after ? "&after=" + encodeURIComponent(after) : "");
  const { status, body } = await api("/api/v1/devices?" + query);
  if (status !== 200) return;
  const rows = $("devices").querySelector("tbody");
  if (!append) rows.innerHTML = "";
  for (const d of body.items) {
    const tr = document.createElement("tr");
    tr.dataset.id = d.deviceId;
    for (const v of [d.deviceId, d.online ? "online" : "offline", d.modelId ?? "", d.firmwareVersion ?? "", d.lastSeen ?? ""]) {
      const td = document.createElement("td");
      td.textContent = v;
      tr.appendChild(td);
    }
    tr.addEventListener("click", () => showDevice(d.deviceId));
    rows.appendChild(tr);
  }
  state.nextAfter = body.next ? body.items[body.items.length - 1].deviceId : null;
  $("more").hidden = !state.nextAfter;
}

async function showDevice(id) {
  const { status, body } = await api("/api/v1/devices/" + encodeURIComponent(id));
  $("device").hidden = false;
  $("device-id").textContent = id;
  $("device-state").textContent = status === 200 ? JSON.stringify(body, null, 2) : body.detail;
  $("result").textContent = "";
}

async function invoke(e) {
  e.preventDefault();
  const id = $("device-id").textContent;
  const started = performance.now();
  const { status, body } = await api("/api/v1/devices/" + encodeURIComponent(id) + "/methods/" + encodeURIComponent($("method").value),
    { method: "POST", body: $("payload").value || "null" });
  const ms = (performance.now() - started).toFixed(0);
  $("result").textContent = status === 200
    ? "status " + body.status + " in " + ms + " ms\n" + JSON.stringify(body.payload, null, 2)
    : "HTTP " + status + ": " + body.detail;
}

function route() {
  const page = (location.hash.replace(/^#/, "").split("&")[0]) || "fleet";
  for (const p of ["fleet", "devices"]) {
    $("page-" + p).hidden = p !== page;
  }
  for (const a of document.querySelectorAll("nav a[data-page]")) {
    a.classList.toggle("active", a.dataset.page === page);
  }
  if (page === "devices") loadDevices(null, false);
}

function start() {
  state.token = token();
  if (!state.token) {
    showLogin();
    return;
  }
  $("login").hidden = true;
  startFleet();
  route();
}

$("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem("fleetkit-token", $("token").value.trim());
  location.reload();
});
$("search").addEventListener("submit", (e) => { e.preventDefault(); loadDevices($("after").value.trim() || null, false); });
$("more").addEventListener("click", () => loadDevices(state.nextAfter, true));
$("invoke").addEventListener("submit", invoke);
window.addEventListener("hashchange", route);
start();
