// fleetkit dashboard, device page: the device's twin (desired and reported properties), a patch of its
// desired properties, and a cloud-to-device message, through the REST API.
"use strict";

const deviceUrl = (id) => "/api/v1/devices/" + encodeURIComponent(id);

async function showTwin(id) {
  const { status, body } = await api(deviceUrl(id) + "/twin");
  $("twin").textContent = status === 200 ? JSON.stringify(body.properties, null, 2) : problem(status, body);
  $("twin-result").textContent = "";
  $("c2d-result").textContent = "";
}

async function patchDesired(e) {
  e.preventDefault();
  const id = $("device-id").textContent;
  let desired;
  try {
    desired = JSON.parse($("desired-patch").value);
  } catch (err) {
    $("twin-result").textContent = "the patch is not JSON: " + err.message;
    return;
  }
  const { status, body } = await api(deviceUrl(id) + "/twin", { method: "PATCH", body: JSON.stringify({ properties: { desired } }) });
  await showTwin(id);
  $("twin-result").textContent = status === 200 ? "desired properties at $version " + body.properties.desired.$version : problem(status, body);
}

/** The body as JSON when it reads as JSON (an object, a number …), else as text. */
function messageBody(text) {
  try {
    return JSON.parse(text);
  } catch (notJson) {
    return text;
  }
}

async function sendMessage(e) {
  e.preventDefault();
  const id = $("device-id").textContent;
  const message = { body: messageBody($("c2d-body").value) };
  const properties = $("c2d-properties").value.trim();
  if (properties) {
    try {
      message.properties = JSON.parse(properties);
    } catch (err) {
      $("c2d-result").textContent = "the properties are not JSON: " + err.message;
      return;
    }
  }
  if ($("c2d-ttl").value) message.ttlSeconds = Number($("c2d-ttl").value);
  const { status, body } = await api(deviceUrl(id) + "/messages", { method: "POST", body: JSON.stringify(message) });
  $("c2d-result").textContent = status === 202 ? "queued as " + body.messageId : problem(status, body);
}

$("desired-form").addEventListener("submit", patchDesired);
$("c2d-form").addEventListener("submit", sendMessage);
