/* Titik peta situs kelurahan: dibuat dari data JSON, teks selalu sebagai node teks (bukan HTML). */
(function () {
  "use strict";
  var WARNA = { kantor: "#b91c1c", wisata: "#047857", umkm: "#c2410c", ikon: "#6d28d9" };
  var LABEL = { kantor: "Kantor kelurahan", wisata: "Wisata", umkm: "UMKM", ikon: "Ikon" };
  var AMAN = /^[a-z0-9\-\/]*$/;
  var TINGKAT = { siap: "#15803d", hampir: "#ca8a04", belum: "#b91c1c" };

  function teks(tag, isi, kelas) {
    var el = document.createElement(tag);
    el.textContent = isi;
    if (kelas) { el.className = kelas; }
    return el;
  }

  function isiPopup(p, akar) {
    var kotak = document.createElement("div");
    kotak.className = "peta-popup";
    var judul = teks("a", p.nama);
    if (typeof p.url === "string" && AMAN.test(p.url)) { judul.href = akar + p.url; }
    kotak.appendChild(judul);
    var desa = p.satuan === "desa";
    var keterangan = [desa && p.jenis === "kantor" ? "Kantor desa" : (LABEL[p.jenis] || p.jenis)];
    if (p.kategori) { keterangan.push(p.kategori); }
    if (p.kelurahan) { keterangan.push((desa ? "Desa " : "Kel. ") + p.kelurahan); }
    kotak.appendChild(teks("span", keterangan.join(" · "), "peta-popup-ket"));
    if (p.perkiraan) { kotak.appendChild(teks("span", "Lokasi perkiraan", "peta-popup-ket")); }
    return kotak;
  }

  /* Titik dengan koordinat persis sama (misalnya lokasi perkiraan di titik tengah kelurahan)
     digeser sedikit saat ditampilkan agar semuanya bisa diklik; datanya tidak diubah. */
  function geser(k, terpakai) {
    var kunci = k[0] + "," + k[1];
    var ke = terpakai[kunci] || 0;
    terpakai[kunci] = ke + 1;
    if (ke === 0) { return [k[1], k[0]]; }
    var sudut = ke * 2.4, jarak = 0.00012 * Math.sqrt(ke);
    return [k[1] + jarak * Math.sin(sudut), k[0] + jarak * Math.cos(sudut)];
  }

  function penanda(fitur, akar, posisi) {
    var p = fitur.properties || {};
    var m = L.circleMarker(posisi, {
      radius: p.jenis === "kantor" ? 10 : 8,
      color: "#ffffff", weight: 2, fillOpacity: 0.95,
      fillColor: WARNA[p.jenis] || "#1d4ed8",
      dashArray: p.perkiraan ? "3 3" : null,
      className: "penanda penanda-" + (WARNA[p.jenis] ? p.jenis : "lain")
    });
    m.bindPopup(isiPopup(p, akar));
    m.bindTooltip(teks("span", p.nama));
    return m;
  }

  /* Batas kelurahan: garis biru putus-putus, atau diwarnai menurut tingkat kesiapan (laporan). */
  function gambarBatas(peta, batas) {
    if (!batas || !batas.features || !batas.features.length) { return null; }
    /* Hanya peta laporan (batas berwarna) yang bisa disentuh; di peta situs batas tidak menghalangi penanda. */
    var laporan = batas.features.some(function (f) { return TINGKAT[(f.properties || {}).tingkat]; });
    var banyak = batas.features.length > 1;
    return L.geoJSON(batas, {
      interactive: laporan,
      style: function (f) {
        var warna = TINGKAT[(f.properties || {}).tingkat];
        var kelas = "batas-kelurahan" + (warna ? " batas-" + f.properties.tingkat : "");
        return warna ? { color: "#ffffff", weight: 1, fillColor: warna, fillOpacity: 0.55, className: kelas } :
          { color: "#1d4ed8", weight: banyak ? 1 : 2, opacity: banyak ? 0.5 : 1, fill: false,
            dashArray: banyak ? null : "5 4", className: kelas };
      },
      onEachFeature: function (f, lapisan) {
        if (!laporan) { return; }
        var p = f.properties || {};
        var label = String(p.nama || "") + (typeof p.skor === "number" ? ": " + p.skor : "");
        lapisan.bindTooltip(teks("span", label), { sticky: true });
      }
    }).addTo(peta);
  }

  function pasang(peta, data, opsi) {
    if (!data || !data.titik) { return; }
    var garis = gambarBatas(peta, data.batas);
    var akar = typeof data.akar === "string" && AMAN.test(data.akar.replace(/\.\.\//g, "")) ? data.akar : "";
    var lapisan = opsi.cluster && L.markerClusterGroup ?
      L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 }) : L.featureGroup();
    var terpakai = {};
    data.titik.features.forEach(function (f) {
      var k = f.geometry.coordinates;
      var posisi = opsi.cluster ? [k[1], k[0]] : geser(k, terpakai);
      lapisan.addLayer(penanda(f, akar, posisi));
    });
    lapisan.addTo(peta);
    var batas = lapisan.getBounds();
    if (garis) { batas = batas.isValid() ? garis.getBounds().extend(batas) : garis.getBounds(); }
    if (data.titik.features.length === 1 && !garis) {
      peta.setView(batas.getCenter(), opsi.zoomTitik, { animate: false });
    } else if (batas.isValid()) {
      peta.fitBounds(batas, { padding: [24, 24], maxZoom: opsi.zoomTitik, animate: false });
    }
    peta.getContainer().setAttribute("data-jumlah-titik", String(data.titik.features.length));
  }

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  window.KelurahanPeta = { pasang: pasang, data: data };
})();
