// fleetkit dashboard, shared part: tokens, calls to the REST API, small DOM helpers, the page router.
// Plain JavaScript, no build step. Tokens come from the URL fragment (#token=…&user=…, never sent to
// the server), the session, or the login form; the operator token drives every page, the dev user's
// token claims devices on the ownership page.
"use strict";

const $ = (id) => document.getElementById(id);
const pages = {}; // name → { show(), hide() }, registered by each page's script
const session = { token: null, userToken: null };

function readTokens() {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, "").replace(/^[a-z]+&/, ""));
  if (fragment.get("token")) {
    sessionStorage.setItem("fleetkit-token", fragment.get("token"));
    if (fragment.get("user")) sessionStorage.setItem("fleetkit-user-token", fragment.get("user"));
    history.replaceState(null, "", location.pathname + "#fleet");
  }
  session.token = sessionStorage.getItem("fleetkit-token");
  session.userToken = sessionStorage.getItem("fleetkit-user-token");
}

/** Calls the API with the operator's token (or the user's): { status, body }; 401 shows the login. */
async function api(path, options = {}, asUser = false) {
  const bearer = asUser ? session.userToken : session.token;
  let response;
  try {
    response = await fetch(path, {
      ...options,
      headers: { "Authorization": "Bearer " + bearer, "Content-Type": "application/json", ...(options.headers || {}) },
    });
  } catch (e) {
    return { status: 0, body: { detail: "the fleetkit server did not answer (" + e.message + ")" } };
  }
  const text = response.status === 204 ? "" : await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = { detail: text };
  }
  if (response.status === 401 && !asUser) showLogin(body && body.detail);
  return { status: response.status, body };
}

/** Seconds since the epoch of an ISO-8601 instant; the server writes up to nanoseconds, which not every browser's Date.parse reads. */
function epochSeconds(iso) {
  return Date.parse(iso.replace(/(\.\d{3})\d+/, "$1")) / 1000;
}

/** A problem's detail, or a status line. */
function problem(status, body) {
  return "HTTP " + status + ": " + ((body && (body.detail || body.title)) || "no detail");
}

function showLogin(why) {
  $("login").hidden = false;
  $("login-error").textContent = why || "";
}

/** Replaces a table's rows: one row per item, cells from `cells(item)` (text only: never HTML from the server). */
function fillTable(table, items, cells, onClick) {
  const body = table.querySelector("tbody");
  body.replaceChildren();
  appendRows(table, items, cells, onClick);
}

function appendRows(table, items, cells, onClick) {
  const body = table.querySelector("tbody");
  for (const item of items) {
    const tr = document.createElement("tr");
    for (const v of cells(item)) {
      const td = document.createElement("td");
      if (v instanceof Node) td.appendChild(v); else td.textContent = v ?? "";
      tr.appendChild(td);
    }
    if (onClick) {
      tr.addEventListener("click", () => onClick(item));
      tr.classList.add("clickable");
    }
    body.appendChild(tr);
    if (item && item.deviceId) tr.dataset.id = item.deviceId;
  }
}

function button(text, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

/** A uPlot chart of the last `seconds`, following its container's width. */
function chart(element, series, axes, seconds) {
  const width = () => Math.max(280, element.clientWidth || element.parentElement.clientWidth || 600);
  const data = series.map(() => []);
  const scales = { x: { time: true, range: (u, min, max) => [max - seconds, max] } };
  const plot = new uPlot({ width: width(), height: 240, series, axes, scales }, data, element);
  window.addEventListener("resize", () => plot.setSize({ width: width(), height: 240 }));
  return { plot, data };
}

let currentPage = null;

function route() {
  const name = (location.hash.replace(/^#/, "").split("&")[0]) || "fleet";
  const page = pages[name] ? name : "fleet";
  for (const p of Object.keys(pages)) $("page-" + p).hidden = p !== page;
  for (const a of document.querySelectorAll("nav a[data-page]")) a.classList.toggle("active", a.dataset.page === page);
  if (currentPage && currentPage !== page && pages[currentPage].hide) pages[currentPage].hide();
  currentPage = page;
  pages[page].show();
}
