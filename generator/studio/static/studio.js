// Studio enhancements: a map to drop a pin (with GPS), and a preview of a chosen photo.
// The form works without them: the location field also takes typed coordinates or a map link.
(function () {
  "use strict";
  var PAIR = /^\s*\(?\s*(-?\d{1,3}(?:\.\d+)?)\s*[,;]\s*(-?\d{1,3}(?:\.\d+)?)\s*\)?\s*$/;

  function setupMap(box) {
    if (typeof L === "undefined") { return; }
    var input = document.getElementById(box.getAttribute("data-masukan"));
    box.hidden = false;
    var map = L.map(box, {scrollWheelZoom: false}).setView(
      [parseFloat(box.getAttribute("data-lat")), parseFloat(box.getAttribute("data-lon"))],
      parseInt(box.getAttribute("data-zoom"), 10));
    L.tileLayer(box.getAttribute("data-ubin"), {
      attribution: box.getAttribute("data-atribusi"),
      maxZoom: parseInt(box.getAttribute("data-zoom-maks"), 10) || 19
    }).addTo(map);
    var marker = null;
    function place(lat, lon, move) {
      if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon]).addTo(map); }
      if (move) { map.setView([lat, lon], Math.max(map.getZoom(), 16)); }
    }
    function write(lat, lon) {
      input.value = lat.toFixed(6) + ", " + lon.toFixed(6);
      place(lat, lon, false);
    }
    function fromInput() {
      var match = PAIR.exec(input.value);
      if (match) { place(parseFloat(match[1]), parseFloat(match[2]), true); }
    }
    map.on("click", function (event) { write(event.latlng.lat, event.latlng.lng); });
    input.addEventListener("change", fromInput);
    fromInput();
    var gps = document.querySelector("button.gps[data-masukan='" + input.id + "']");
    if (gps && navigator.geolocation) {
      gps.hidden = false;
      gps.addEventListener("click", function () {
        gps.disabled = true;
        navigator.geolocation.getCurrentPosition(function (pos) {
          gps.disabled = false;
          write(pos.coords.latitude, pos.coords.longitude);
          map.setView([pos.coords.latitude, pos.coords.longitude], 17);
        }, function () {
          gps.disabled = false;
          gps.textContent = "GPS tidak tersedia; ketuk peta untuk menaruh titik";
        }, {enableHighAccuracy: true, timeout: 20000});
      });
    }
  }

  function setupPhoto(input) {
    var img = document.getElementById(input.getAttribute("data-pratinjau"));
    input.addEventListener("change", function () {
      if (!img || !input.files || !input.files[0] || !window.URL) { return; }
      img.src = URL.createObjectURL(input.files[0]);
      img.alt = "Foto yang dipilih";
      img.hidden = false;
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".peta-pilih"), setupMap);
  Array.prototype.forEach.call(document.querySelectorAll("input.foto-masuk"), setupPhoto);
}());
