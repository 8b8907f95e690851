// Progressive enhancement for the report form: "Använd min position" fills in latitude and
// longitude from the device. Without JavaScript the button stays hidden and the coordinates
// can be typed in.
(function () {
  'use strict';
  var button = document.querySelector('[data-locate]');
  if (!button || !('geolocation' in navigator)) { return; }
  var status = document.querySelector('[data-locate-status]');
  var lat = document.getElementById('f-lat');
  var lon = document.getElementById('f-lon');
  button.hidden = false;
  button.addEventListener('click', function () {
    status.textContent = 'Hämtar position …';
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(5);
      lon.value = pos.coords.longitude.toFixed(5);
      status.textContent = 'Position sparad (±' + Math.round(pos.coords.accuracy) + ' m).';
    }, function (err) {
      status.textContent = err.code === 1 ? 'Du har inte gett tillgång till positionen. Välj plats i listan i stället.' : 'Positionen kunde inte hämtas. Välj plats i listan i stället.';
    }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  });
}());
