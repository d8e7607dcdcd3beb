// fleetkit dashboard, swarm page: the simulated swarm in this process (the demo's) — size, telemetry
// rate, and how devices answer direct methods (for one device, or for all).
"use strict";

const swarm = { timer: null };

async function loadSwarm() {
  const { status, body } = await api("/api/v1/swarm");
  $("swarm-none").hidden = status !== 404;
  $("swarm-panel").hidden = status !== 200;
  if (status === 200) showSwarm(body);
}

function showSwarm(s) {
  $("swarm-active").textContent = s.active;
  $("swarm-size").textContent = s.size;
  $("swarm-rate").textContent = s.rateMultiplier;
  $("swarm-model").textContent = s.model;
  $("swarm-devices").max = s.maxDevices;
  if (document.activeElement !== $("swarm-devices") && !$("swarm-devices").value) $("swarm-devices").value = s.active;
  if (document.activeElement !== $("swarm-multiplier") && !$("swarm-multiplier").value) $("swarm-multiplier").value = s.rateMultiplier;
  const rows = [];
  for (const [scope, methods] of Object.entries(s.overrides)) {
    for (const [method, o] of Object.entries(methods)) {
      rows.push({ scope: scope === "*" ? "all devices" : scope, method, ...o });
    }
  }
  fillTable($("overrides"), rows, (o) => [o.scope, o.method, o.status ?? "(firmware's)",
    o.payload === undefined ? "(firmware's)" : JSON.stringify(o.payload), o.delayMs + " ms", o.noAnswer ? "yes" : "no"]);
}

async function changeSwarm(change, message) {
  const { status, body } = await api("/api/v1/swarm", { method: "PATCH", body: JSON.stringify(change) });
  $("swarm-message").textContent = status === 200 ? message : problem(status, body);
  $("swarm-message").className = status === 200 ? "message" : "message error";
  if (status === 200) showSwarm(body);
}

async function setOverride(e) {
  e.preventDefault();
  const method = $("override-method").value.trim();
  const o = {};
  const device = $("override-device").value.trim();
  if (device) o.device = device;
  if ($("override-status").value) o.status = Number($("override-status").value);
  if ($("override-delay").value) o.delayMs = Number($("override-delay").value);
  if ($("override-silent").checked) o.noAnswer = true;
  const payload = $("override-payload").value.trim();
  if (payload) {
    try {
      o.payload = JSON.parse(payload);
    } catch (err) {
      $("swarm-message").textContent = "the payload is not JSON: " + err.message;
      $("swarm-message").className = "message error";
      return;
    }
  }
  const { status, body } = await api("/api/v1/swarm/overrides/" + encodeURIComponent(method), { method: "PUT", body: JSON.stringify(o) });
  $("swarm-message").textContent = status === 200 ? "override set: " + method + " on " + (device || "all devices") : problem(status, body);
  $("swarm-message").className = status === 200 ? "message" : "message error";
  if (status === 200) showSwarm(body);
}

async function clearOverride() {
  const method = $("override-method").value.trim();
  const device = $("override-device").value.trim();
  const query = device ? "?device=" + encodeURIComponent(device) : "";
  const { status, body } = await api("/api/v1/swarm/overrides/" + encodeURIComponent(method) + query, { method: "DELETE" });
  $("swarm-message").textContent = status === 200 ? "override cleared: " + method + " on " + (device || "all devices") : problem(status, body);
  $("swarm-message").className = status === 200 ? "message" : "message error";
  if (status === 200) showSwarm(body);
}

$("swarm-size-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const n = Number($("swarm-devices").value);
  changeSwarm({ devices: n }, n + " devices powered on (new ones boot at the ramp rate)");
});
$("swarm-stop").addEventListener("click", () => {
  $("swarm-devices").value = 0;
  changeSwarm({ devices: 0 }, "every device powered off");
});
$("swarm-rate-apply").addEventListener("click", () => {
  const x = Number($("swarm-multiplier").value);
  changeSwarm({ rateMultiplier: x }, "telemetry ×" + x + " from now on");
});
$("override-form").addEventListener("submit", setOverride);
$("override-clear").addEventListener("click", clearOverride);

pages.swarm = {
  show() {
    loadSwarm();
    swarm.timer = setInterval(loadSwarm, 2000);
  },
  hide() {
    clearInterval(swarm.timer);
  },
};
