// fleetkit dashboard, devices page: a paged list (50 at a time), one device's state, its latest
// readings as a chart, and a direct method with its answer and round-trip time (its twin and
// messages: twin.js).
"use strict";

const devices = { nextAfter: null, selected: null, timer: null, search: "" };

async function loadDevices(after, append) {
  const query = "limit=50" + (after ? "&after=" + encodeURIComponent(after) : "")
    + (devices.search ? "&q=" + encodeURIComponent(devices.search) : "");
  const { status, body } = await api("/api/v1/devices?" + query);
  if (status !== 200) return;
  const cells = (d) => [d.deviceId, d.online ? "online" : "offline", d.modelId, d.firmwareVersion, d.lastSeen];
  (append ? appendRows : fillTable)($("devices"), body.items, cells, (d) => showDevice(d.deviceId));
  devices.nextAfter = body.next ? body.items[body.items.length - 1].deviceId : null;
  $("more").hidden = !devices.nextAfter;
}

async function showDevice(id) {
  devices.selected = id;
  const { status, body } = await api("/api/v1/devices/" + encodeURIComponent(id));
  $("device").hidden = false;
  $("device-id").textContent = id;
  $("device-state").textContent = status === 200 ? JSON.stringify(body, null, 2) : problem(status, body);
  $("result").textContent = "";
  showReadings(id);
  showTwin(id);
  clearInterval(devices.timer);
  devices.timer = setInterval(() => showReadings(id), 5000); // live: new readings every few seconds
}

/** The last ten minutes of readings (up to 500 rows), one series per numeric reading. */
async function showReadings(id) {
  const from = new Date(Date.now() - 10 * 60 * 1000).toISOString();
  const { status, body } = await api("/api/v1/devices/" + encodeURIComponent(id) + "/telemetry?limit=500&from=" + encodeURIComponent(from));
  const box = $("readings-chart");
  box.replaceChildren();
  if (status !== 200 || body.items.length === 0) {
    $("readings-note").textContent = status === 200 ? "no readings in the last ten minutes" : problem(status, body);
    return;
  }
  const names = Object.keys(body.items[0].readings).filter((k) => typeof body.items[0].readings[k] === "number");
  const colours = ["#2e6bd9", "#2e8540", "#a05a00", "#8e24aa", "#b3261e"];
  const data = [body.items.map((r) => epochSeconds(r.deviceTime))];
  for (const n of names) data.push(body.items.map((r) => r.readings[n] ?? null));
  const series = [{}].concat(names.map((n, i) => ({ label: n, stroke: colours[i % colours.length] })));
  new uPlot({ width: Math.max(280, box.clientWidth || 500), height: 220, series, axes: [{}, {}] }, data, box);
  $("readings-note").textContent = body.items.length + " readings since " + from;
}

async function invoke(e) {
  e.preventDefault();
  const id = $("device-id").textContent;
  $("result").textContent = "calling…";
  const started = performance.now();
  const { status, body } = await api("/api/v1/devices/" + encodeURIComponent(id) + "/methods/" + encodeURIComponent($("method").value.trim()),
    { method: "POST", body: $("payload").value.trim() || "null" });
  const ms = (performance.now() - started).toFixed(0);
  $("result").textContent = status === 200
    ? "status " + body.status + " in " + ms + " ms\n" + JSON.stringify(body.payload, null, 2)
    : problem(status, body);
}

$("search").addEventListener("submit", (e) => {
  e.preventDefault();
  devices.search = $("search-text").value.trim();
  loadDevices(null, false);
});
$("more").addEventListener("click", () => loadDevices(devices.nextAfter, true));
$("invoke").addEventListener("submit", invoke);

pages.devices = {
  show() {
    loadDevices(null, false);
    if (devices.selected) {
      showReadings(devices.selected);
      devices.timer = setInterval(() => showReadings(devices.selected), 5000);
    }
  },
  hide() {
    clearInterval(devices.timer);
  },
};
