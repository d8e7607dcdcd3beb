// fleetkit dashboard, provisioning page: DPS's enrollments, its recent registrations, the throttle profile.
"use strict";

const provisioning = { timer: null };

async function loadProvisioning() {
  const { status, body } = await api("/api/v1/provisioning");
  if (status === 200) showProvisioning(body);
}

function showProvisioning(p) {
  $("provisioning-summary").textContent = "id scope " + p.idScope + " · profile " + p.throttleProfile + " · " + p.throttled + " answered 429";
  if (document.activeElement !== $("throttle-profile")) {
    const base = p.throttleProfile.replace(/x\d+$/, "");
    if ([...$("throttle-profile").options].some((o) => o.value === base)) $("throttle-profile").value = base;
  }
  fillTable($("enrollments"), p.enrollments, (e) => [e.name, e.kind, e.ca ?? "", e.enabled ? "yes" : "no",
    button(e.enabled ? "Disable" : "Enable", () => setEnrollment(e.name, !e.enabled))]);
  fillTable($("registrations"), p.recentRegistrations, (r) => [r.registrationId, r.status, r.substatus, r.assignedHub, r.time]);
}

async function setEnrollment(name, enabled) {
  const { status, body } = await api("/api/v1/provisioning/enrollments/" + encodeURIComponent(name),
    { method: "PATCH", body: JSON.stringify({ enabled }) });
  if (status === 200) showProvisioning(body); else alert(problem(status, body));
}

$("throttle-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const { status, body } = await api("/api/v1/provisioning/throttle",
    { method: "PUT", body: JSON.stringify({ profile: $("throttle-profile").value }) });
  if (status === 200) showProvisioning(body); else $("provisioning-summary").textContent = problem(status, body);
});

pages.provisioning = {
  show() {
    loadProvisioning();
    provisioning.timer = setInterval(loadProvisioning, 3000);
  },
  hide() {
    clearInterval(provisioning.timer);
  },
};
