/* Pencarian situs kelurahan: memakai indeks Pagefind di folder pagefind/ situs ini sendiri
   (tanpa server lain), satu bagian per kecamatan yang digabung di sini (mergeIndex).
   Teks hasil selalu dibuat sebagai node teks; hanya <mark> yang dipertahankan. */
const form = document.getElementById("form-cari");
const status = document.getElementById("status-cari");
const list = document.getElementById("hasil-cari");
const root = new URL("../", window.location.href);
const params = new URLSearchParams(window.location.search);
const MAX = 30;

function say(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

function excerpt(html) {
  const out = document.createElement("p");
  const doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
  doc.body.firstChild.childNodes.forEach((node) => {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.appendChild(mark);
    } else {
      out.appendChild(document.createTextNode(node.textContent));
    }
  });
  return out;
}

function fill(select, counts, chosen) {
  Object.keys(counts || {}).sort((a, b) => a.localeCompare(b, "id")).forEach((value) => {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = value;
    option.selected = value === chosen;
    select.appendChild(option);
  });
}

function item(data) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  const heading = document.createElement("h2");
  heading.appendChild(link);
  li.appendChild(heading);
  const where = [].concat(data.filters.bagian || [], data.filters.kelurahan || []);
  if (where.length) {
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = where.join(" · ");
    li.appendChild(meta);
  }
  li.appendChild(excerpt(data.excerpt || ""));
  return li;
}

async function start() {
  const query = (params.get("q") || "").trim();
  const chosen = { kelurahan: params.get("kelurahan") || "", bagian: params.get("bagian") || "" };
  form.elements.q.value = query;
  const parts = (form.dataset.indeks || "").split(" ").filter((name) => /^[a-z0-9-]+$/.test(name));
  let pagefind;
  try {
    if (!parts.length) { throw new Error("tanpa indeks"); }
    pagefind = await import(new URL("pagefind/" + parts[0] + "/pagefind.js", root).href);
    await pagefind.options({ baseUrl: root.pathname });
    for (const name of parts.slice(1)) {
      await pagefind.mergeIndex(new URL("pagefind/" + name + "/", root).href, { baseUrl: root.pathname });
    }
  } catch (error) {
    status.textContent = form.dataset.pesanGagal;
    return;
  }
  const filters = await pagefind.filters();
  fill(document.getElementById("saring-kelurahan"), filters.kelurahan, chosen.kelurahan);
  fill(document.getElementById("saring-bagian"), filters.bagian, chosen.bagian);
  form.querySelectorAll("select").forEach((select) => select.addEventListener("change", () => form.requestSubmit()));
  const active = {};
  Object.keys(chosen).forEach((name) => { if (chosen[name]) { active[name] = chosen[name]; } });
  if (!query && !Object.keys(active).length) { return; }
  const search = await pagefind.search(query || null, { filters: active });
  const results = await Promise.all(search.results.slice(0, MAX).map((r) => r.data()));
  const words = { jumlah: search.results.length, kata: query || Object.values(active).join(", ") };
  status.textContent = say(results.length ? form.dataset.pesanHasil : form.dataset.pesanKosong, words);
  results.forEach((data) => list.appendChild(item(data)));
}

start();
