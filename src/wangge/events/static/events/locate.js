// "Use my location": fill longitude and latitude from the phone's position.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-locate]");
  if (!button) return;
  const status = document.querySelector("[data-locate-status]");
  if (!navigator.geolocation) { status.textContent = "—"; return; }
  status.textContent = "…";
  navigator.geolocation.getCurrentPosition((position) => {
    document.getElementById("id_longitude").value = position.coords.longitude.toFixed(6);
    document.getElementById("id_latitude").value = position.coords.latitude.toFixed(6);
    const building = document.getElementById("id_building");
    if (building) building.value = "";
    status.textContent = "✓";
  }, (error) => { status.textContent = error.message; }, {enableHighAccuracy: true, timeout: 15000});
});
