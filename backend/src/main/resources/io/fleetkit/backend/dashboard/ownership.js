// fleetkit dashboard, ownership page: the dev user claims a device; the device's simulated button is
// pressed from here (through the swarm); once the claim is granted the device is under "my devices".
"use strict";

const ownership = { claimId: null, poll: null };

function userName() {
  try {
    const payload = JSON.parse(atob(session.userToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return payload.sub;
  } catch (e) {
    return null;
  }
}

async function loadMyDevices() {
  const { status, body } = await api("/api/v1/devices?limit=50", {}, true);
  if (status !== 200) {
    $("claim-status").textContent = "my devices: " + problem(status, body);
    return;
  }
  fillTable($("my-devices"), body.items, (d) => [d.deviceId, d.online ? "online" : "offline", d.modelId, d.lastSeen]);
}

async function claim(e) {
  e.preventDefault();
  const id = $("claim-device").value.trim();
  const { status, body } = await api("/api/v1/devices/" + encodeURIComponent(id) + "/claims", { method: "POST", body: "{}" }, true);
  if (status !== 202) {
    $("claim-status").textContent = problem(status, body);
    return;
  }
  ownership.claimId = body.claimId;
  showClaim(body);
  clearInterval(ownership.poll);
  ownership.poll = setInterval(pollClaim, 1000);
}

async function pollClaim() {
  const { status, body } = await api("/api/v1/claims/" + encodeURIComponent(ownership.claimId), {}, true);
  if (status !== 200) {
    $("claim-status").textContent = problem(status, body);
    clearInterval(ownership.poll);
    return;
  }
  showClaim(body);
  if (body.status !== "PENDING") {
    clearInterval(ownership.poll);
    loadMyDevices();
  }
}

function showClaim(c) {
  const hint = c.status === "PENDING" ? "\npress the device's button before " + c.expires : "";
  $("claim-status").textContent = "claim " + c.claimId + " of " + c.deviceId + ": " + c.status + (c.reason ? " (" + c.reason + ")" : "") + hint;
}

async function pressButton() {
  const id = $("claim-device").value.trim();
  const { status, body } = await api("/api/v1/swarm/devices/" + encodeURIComponent(id) + "/button", { method: "POST" });
  if (status !== 204) $("claim-status").textContent = "button: " + problem(status, body);
}

$("claim-form").addEventListener("submit", claim);
$("press-button").addEventListener("click", pressButton);
$("user-form").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem("fleetkit-user-token", $("user-token").value.trim());
  session.userToken = $("user-token").value.trim();
  pages.ownership.show();
});

pages.ownership = {
  show() {
    $("user-form").hidden = !!session.userToken;
    $("user-name").textContent = session.userToken ? (userName() || "?") : "(no dev user token: paste one)";
    if (session.userToken) loadMyDevices();
  },
  hide() {
    clearInterval(ownership.poll);
  },
};
