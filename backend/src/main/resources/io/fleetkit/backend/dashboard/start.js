// fleetkit dashboard: starts once every page has registered.
"use strict";

$("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem("fleetkit-token", $("token").value.trim());
  location.reload();
});
window.addEventListener("hashchange", route);

readTokens();
if (!session.token) {
  showLogin();
} else {
  startFleetEvents();
  route();
}
