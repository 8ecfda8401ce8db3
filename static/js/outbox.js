// The outbox: every write a phone makes on the floor waits here (IndexedDB) until the server
// has confirmed it, so nothing typed or photographed is lost on a bad network. What it sends
// is the documented JSON API, with the Idempotency-Key the API honours: a resend after a lost
// answer changes nothing twice. Items go out in the order they were made, with backoff after a
// failure; an item is removed only when the server answered 2xx.
//
// An item: {id, user, kind, group, label, url, json | form, key, state, error, ...}
//   group   what it writes to ("inspection:12"); items of a group go strictly in order, and a
//           failed or conflicting item holds back the rest of its group (not other groups)
//   versioned  sent with `version`: the row_version this phone knows for the group (what the
//           page showed, then each confirmed write's answer); a 409 means someone else changed
//           it: the item waits for the person's choice (conflict), never resent as it is
//   after   id of an earlier item whose answer names the object ("{id}" in url is its id)
//   form    [[name, value, filename?]] for multipart (photos as Blobs)
// The page's own scripts add items and listen to `onsite:outbox` events on document.
//
// Sign-out answers with Clear-Site-Data, which empties this store and the page cache on a
// shared phone; the sign-out button asks first when items are still waiting.
(function () {
  "use strict";
  var userMeta = document.querySelector("meta[name=onsite-user]");
  var user = userMeta ? userMeta.content : "";
  // The panel's words, translated by the template: data-t-no-answer → T.noAnswer.
  var T = {};
  var textHolder = document.getElementById("outbox");
  if (textHolder) {
    Object.keys(textHolder.dataset).forEach(function (key) {
      if (/^t[A-Z]/.test(key)) T[key.charAt(1).toLowerCase() + key.slice(2)] = textHolder.dataset[key];
    });
  }
  var DB_NAME = "onsite";
  var dbPromise = null;
  var flushing = false;
  var again = false;
  var timer = null;
  var paused = ""; // why sending stopped for everything (signed out)

  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      if (!window.indexedDB) return reject(new Error("no IndexedDB"));
      var request = window.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("items", { keyPath: "id", autoIncrement: true });
        db.createObjectStore("groups", { keyPath: "group" });
      };
      request.onsuccess = function () {
        request.result.onversionchange = function () { request.result.close(); dbPromise = null; };
        resolve(request.result);
      };
      request.onerror = function () { reject(request.error); };
      request.onblocked = function () { reject(new Error("blocked")); };
    });
    return dbPromise;
  }

  // One transaction; `work(stores)` returns a value (or a request whose result is wanted).
  function run(names, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(names, mode);
        var stores = {};
        names.forEach(function (n) { stores[n] = tx.objectStore(n); });
        var out = work(stores);
        tx.oncomplete = function () { resolve(out instanceof IDBRequest ? out.result : out); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function all() {
    return run(["items"], "readonly", function (s) { return s.items.getAll(); }).then(function (rows) {
      return rows.filter(function (item) { return item.user === user; }).sort(function (a, b) { return a.id - b.id; });
    });
  }

  function get(id) {
    return run(["items"], "readonly", function (s) { return s.items.get(id); });
  }

  function put(item) {
    return run(["items"], "readwrite", function (s) { return s.items.put(item); });
  }

  function remove(id) {
    return run(["items"], "readwrite", function (s) { s.items.delete(id); });
  }

  function groupState(group) {
    return run(["groups"], "readonly", function (s) { return s.groups.get(group); }).then(function (g) {
      return g || { group: group, version: null, data: {} };
    });
  }

  function saveGroup(g) {
    return run(["groups"], "readwrite", function (s) { s.groups.put(g); });
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  // Changes to the store happen one after the other: a change typed while an item is being
  // sent never lands in the item on its way (it starts a new one).
  var lock = Promise.resolve();
  function serial(work) {
    var next = lock.then(work);
    lock = next.catch(function () {});
    return next;
  }

  // Resolves once every change asked for so far is in the store (a submit right after a
  // change typed on blur must see that change waiting).
  function idle() {
    return lock.then(function () {});
  }

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent("onsite:outbox", { detail: Object.assign({ type: name }, detail || {}) }));
  }

  function csrf() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  // --- the public side ------------------------------------------------------------------------

  // The version this phone knows for a group: what the page showed, or newer from its own
  // confirmed writes (versions only grow, so the larger is the later). While writes made on
  // the known version wait, a newer page (someone else saved) does not move it: those writes
  // must meet the 409 and the person's choice, not overwrite the other person's answers.
  function known(group, pageVersion) {
    return serial(function () {
      return Promise.all([groupState(group), all()]).then(function (both) {
        var g = both[0];
        var waiting = both[1].some(function (i) { return i.group === group && i.versioned; });
        var newer = pageVersion !== null && pageVersion !== undefined && (g.version === null || pageVersion > g.version);
        if (newer && !waiting) {
          g.version = pageVersion;
          return saveGroup(g).then(function () { return g; });
        }
        return g;
      });
    });
  }

  function addNow(item) {
    var row = Object.assign({
      user: user,
      key: newKey(),
      state: "waiting",
      attempts: 0,
      next: 0,
      error: "",
      created: Date.now()
    }, item);
    if (!row.key) row.key = newKey();
    delete row.id;
    return put(row);
  }

  function add(item) {
    return serial(function () { return addNow(item); }).then(function (id) {
      emit("change");
      schedule(50);
      return id;
    });
  }

  // Adds to the last item of the group and kind that has not left yet, or makes a new one:
  // answers typed one after the other travel as one save.
  function merge(group, kind, change, make) {
    return serial(function () {
      return all().then(function (items) {
        // The group's last item that is not a photo (photos do not depend on answers, so
        // answers typed around them still travel as one save).
        var last = null;
        items.forEach(function (i) { if (i.group === group && i.kind !== "photo") last = i; });
        if (last && last.kind === kind && last.state === "waiting") {
          change(last);
          return put(last).then(function () { return [last.id, 700]; });
        }
        var item = make();
        item.group = group;
        item.kind = kind;
        return addNow(item).then(function (id) { return [id, 50]; });
      });
    }).then(function (done) {
      emit("change");
      schedule(done[1]);
      return done[0];
    });
  }

  function update(id, change) {
    return serial(function () {
      return get(id).then(function (item) {
        if (!item) return null;
        change(item);
        return put(item).then(function () { return item; });
      });
    });
  }

  function retry(id) {
    return update(id, function (item) {
      item.state = "waiting";
      item.error = "";
      item.attempts = 0;
      item.next = 0;
    }).then(function () { emit("change"); schedule(10); });
  }

  function discard(id) {
    return serial(function () { return remove(id); }).then(function () { emit("change"); schedule(10); });
  }

  // The person chose to send theirs anyway, over what the server holds now (`version`).
  function rebase(id, version) {
    return serial(function () {
      return get(id).then(function (item) {
        if (!item) return;
        item.key = newKey(); // a new request, not the refused one again
        item.state = "waiting";
        item.error = "";
        return put(item).then(function () { return groupState(item.group); }).then(function (g) {
          g.version = version;
          return saveGroup(g);
        });
      });
    }).then(function () { emit("change"); schedule(10); });
  }

  // --- sending ----------------------------------------------------------------------------

  function schedule(delay) {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(flush, delay);
  }

  function backoff(attempts) {
    var seconds = Math.min(60, Math.pow(2, attempts));
    return Date.now() + seconds * 1000 * (0.75 + Math.random() * 0.5);
  }

  function bodyOf(item, version) {
    if (item.form) {
      var data = new FormData();
      item.form.forEach(function (part) {
        if (part[1] instanceof Blob) data.append(part[0], part[1], part[2] || "photo.jpg");
        else data.append(part[0], part[1]);
      });
      return data;
    }
    var json = Object.assign({}, item.json || {});
    if (item.versioned) json.version = version;
    return JSON.stringify(json);
  }

  function sizeOf(item) {
    var bytes = 0;
    (item.form || []).forEach(function (p) { bytes += p[1] instanceof Blob ? p[1].size : String(p[1]).length; });
    return bytes + JSON.stringify(item.json || {}).length;
  }

  // A request's time limit, generous for a weak uplink: 20 s plus 1 s for every 10 kB.
  function deadline(bytes) {
    var controller = window.AbortController ? new AbortController() : null;
    var limit = (window.OnsiteOutboxTimeout || 20000) + bytes / 10;
    var alarm = controller ? window.setTimeout(function () { controller.abort(); }, limit) : null;
    return {
      signal: controller ? controller.signal : undefined,
      clear: function () { if (alarm) window.clearTimeout(alarm); }
    };
  }

  function send(item, url, version) {
    var limit = deadline(sizeOf(item));
    var headers = { "X-CSRFToken": csrf(), "Idempotency-Key": item.key, "Accept": "application/json" };
    if (!item.form) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: bodyOf(item, version),
      signal: limit.signal
    }).then(function (response) {
      limit.clear();
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data, refusal: response.headers.get("Onsite-Refusal") || "" };
      });
    }, function (error) {
      limit.clear();
      return { status: 0, data: {}, error: error };
    });
  }

  function detailOf(res) {
    var d = res.data && res.data.detail;
    if (typeof d === "string") return d;
    if (Array.isArray(d) && d.length) return d.map(function (e) { return e.msg || ""; }).join(" ");
    return "";
  }

  // After a confirmed write: the group's version moves on (later items are sent with it), and
  // the answers it carried are remembered for a page copy older than them.
  function advance(item, data) {
    var version = data && typeof data.row_version === "number" ? data.row_version : null;
    return groupState(item.group).then(function (g) {
      if (version !== null) g.version = version;
      if (item.kind === "answers" && item.json && item.json.answers) {
        g.data = g.data || {};
        g.data.answers = g.data.answers || {};
        item.json.answers.forEach(function (a) { g.data.answers[a.id] = a; });
        if (version !== null) g.data.version = version;
      }
      return saveGroup(g);
    });
  }

  function flush() {
    if (!user) return Promise.resolve();
    if (flushing) { again = true; return Promise.resolve(); }
    flushing = true;
    var work = function () { return drain().then(function () { flushing = false; }, function () { flushing = false; }); };
    // One tab sends at a time: two open pages must not send the same item side by side.
    var run = navigator.locks ? navigator.locks.request("onsite-outbox", work) : work();
    return run.then(function () {
      if (again) { again = false; schedule(100); }
    });
  }

  function drain() {
    var held = {};
    var wait = null;
    return all().then(function (items) {
      var chain = Promise.resolve();
      items.forEach(function (snapshot) {
        chain = chain.then(function () {
          if (paused) return;
          if (held[snapshot.group]) return;
          return get(snapshot.id).then(function (item) {
            if (!item) return; // discarded meanwhile
            if (item.state === "failed" || item.state === "conflict") { held[item.group] = true; return; }
            if (item.next > Date.now()) {
              held[item.group] = true;
              wait = wait === null ? item.next : Math.min(wait, item.next);
              return;
            }
            if (!navigator.onLine) { held[item.group] = true; return; }
            if (item.after) {
              // The object it belongs to is not made yet (its answer fills in the url), or it
              // never will be: the item it waited for was deleted.
              held[item.group] = true;
              return get(item.after).then(function (before) {
                if (before) return;
                item.state = "failed";
                item.error = T.lost || "";
                return put(item);
              });
            }
            var version = null;
            return serial(function () {
              return get(item.id).then(function (fresh) {
                if (!fresh || fresh.state !== "waiting") return null;
                item = fresh;
                item.state = "sending";
                return put(item).then(function () { return groupState(item.group); }).then(function (g) {
                  version = g.version;
                  return item;
                });
              });
            }).then(function (sending) {
              if (!sending) return null;
              emit("change");
              return send(item, item.url, version);
            }).then(function (res) {
              if (!res) return;
              return settle(item, res, held).then(function (delay) {
                if (delay) wait = wait === null ? delay : Math.min(wait, delay);
              });
            });
          });
        });
      });
      return chain;
    }).then(function () {
      emit("change");
      if (wait !== null) schedule(Math.max(200, wait - Date.now()));
    });
  }

  function settle(item, res, held) {
    return serial(function () { return settleNow(item, res, held); });
  }

  function settleNow(item, res, held) {
    if (res.status >= 200 && res.status < 300) {
      // Items that wait on this one learn the id it made before it is gone.
      return all().then(function (items) {
        return Promise.all(items.filter(function (i) { return i.after === item.id; }).map(function (i) {
          if (res.data && res.data.id !== undefined) i.url = i.url.replace("{id}", String(res.data.id));
          delete i.after;
          return put(i);
        }));
      }).then(function () {
        return advance(item, res.data);
      }).then(function () {
        return remove(item.id);
      }).then(function () {
        emit("sent", { item: item, data: res.data });
        return null;
      });
    }
    held[item.group] = true;
    if (res.status === 0 || res.status >= 500 || res.status === 429) {
      item.state = "waiting";
      item.attempts += 1;
      item.next = backoff(item.attempts);
      item.error = res.status ? (T.server || "") : (navigator.onLine ? (T.noAnswer || "") : "");
      return put(item).then(function () { return item.next; });
    }
    if (res.status === 401 || (res.status === 403 && res.refusal !== "not_allowed" && !res.data.code)) {
      // Signed out (the session ended or the page's token is old): wait for a fresh sign-in.
      item.state = "waiting";
      paused = T.signIn || "";
      return put(item).then(function () { emit("paused", { reason: paused }); return null; });
    }
    item.state = res.status === 409 ? "conflict" : "failed";
    item.code = (res.data && res.data.code) || "";
    item.error = detailOf(res) || T.refused || "";
    return put(item).then(function () {
      emit(item.state, { item: item, data: res.data });
      return null;
    });
  }

  // --- the queue as the person sees it ------------------------------------------------------

  var panel = document.getElementById("outbox");

  function summary(items) {
    var photos = items.filter(function (i) { return i.kind === "photo"; }).length;
    var others = items.length - photos;
    var parts = [];
    if (photos) parts.push((T.photos || "{n}").replace("{n}", photos));
    if (others) parts.push((T.items || "{n}").replace("{n}", others));
    return parts.join(" · ");
  }

  function stateText(item) {
    if (item.state === "sending") return T.sending || "";
    if (item.state === "conflict") return T.conflict || "";
    if (item.state === "failed") return T.failed || "";
    if (!navigator.onLine) return T.offline || "";
    return T.waiting || "";
  }

  function render(items) {
    if (!panel) return;
    var badge = panel.querySelector("[data-outbox-count]");
    var list = panel.querySelector("[data-outbox-list]");
    var note = panel.querySelector("[data-outbox-note]");
    panel.classList.toggle("d-none", !items.length);
    var trouble = items.some(function (i) { return i.state === "failed" || i.state === "conflict"; });
    panel.classList.toggle("outbox-trouble", trouble);
    badge.textContent = summary(items);
    note.textContent = paused || (navigator.onLine ? "" : (T.offlineNote || ""));
    list.replaceChildren();
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "list-group-item d-flex flex-wrap gap-2 align-items-center outbox-" + item.state;
      li.setAttribute("data-testid", "outbox-item");
      li.dataset.state = item.state;
      var label = document.createElement("span");
      label.className = "me-auto";
      label.textContent = item.label || item.kind;
      var state = document.createElement("span");
      state.className = "small text-muted";
      state.textContent = stateText(item);
      li.append(label, state);
      if (item.error) {
        var why = document.createElement("div");
        // The whole refusal, wrapped (a submit's names every check that needs a photo).
        why.className = "w-100 small outbox-why " + (item.state === "waiting" ? "text-muted" : "text-danger");
        why.textContent = item.error;
        li.append(why);
      }
      if (item.state === "failed" || item.state === "conflict") {
        var again = document.createElement("button");
        again.type = "button";
        again.className = "btn btn-sm btn-outline-primary";
        again.textContent = T.retry || "";
        again.setAttribute("data-testid", "outbox-retry");
        again.addEventListener("click", function () {
          if (item.state === "conflict") emit("choose", { item: item });
          else retry(item.id);
        });
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "btn btn-sm btn-outline-danger";
        drop.textContent = T.discard || "";
        drop.setAttribute("data-testid", "outbox-discard");
        drop.addEventListener("click", function () { discard(item.id); });
        li.append(again, drop);
      }
      list.append(li);
    });
    var signOut = document.querySelector("form[data-sign-out]");
    if (signOut) {
      if (items.length) signOut.setAttribute("data-confirm", (T.signOut || "").replace("{n}", items.length));
      else signOut.removeAttribute("data-confirm");
    }
  }

  function refresh() {
    if (!user) return;
    all().then(render, function () { /* no IndexedDB: the page's own forms still work */ });
  }

  document.addEventListener("onsite:outbox", function (event) {
    if (event.detail.type !== "sent") refresh();
  });
  window.addEventListener("online", function () { paused = ""; refresh(); schedule(100); });
  window.addEventListener("offline", refresh);

  // --- the page cache (service worker) ------------------------------------------------------

  function tellWorker(message) {
    if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return;
    navigator.serviceWorker.controller.postMessage(message);
  }

  // Pages the person will need on the floor: the links the page marks (their open checklists,
  // rectifications, zones), and this page if it is one to keep (on a first visit it came
  // before the worker did). The worker skips pages it already holds.
  var keepMeta = document.querySelector("meta[name=onsite-offline]");
  function warm() {
    var urls = Array.prototype.map.call(document.querySelectorAll("a[data-offline]"), function (a) { return a.href; });
    Array.prototype.forEach.call(document.querySelectorAll("[data-offline-url]"), function (el) {
      urls.push(new URL(el.getAttribute("data-offline-url"), window.location.href).href);
    });
    if (keepMeta) urls.push(window.location.href);
    tellWorker({ type: "user", user: user });
    if (urls.length) tellWorker({ type: "warm", urls: urls, fresh: false });
  }

  // After a confirmed write the kept copy of this page is made again (it shows the write).
  function keepThisPage() {
    tellWorker({ type: "warm", urls: [window.location.href], fresh: true });
  }

  if ("serviceWorker" in navigator && user) {
    var workerUrl = document.querySelector("meta[name=onsite-worker]");
    if (workerUrl) {
      var register = function (attempt) {
        navigator.serviceWorker.register(workerUrl.content, { scope: "/" }).catch(function () {
          if (attempt < 5) window.setTimeout(function () { register(attempt + 1); }, 5000 * (attempt + 1));
        });
      };
      register(0);
      navigator.serviceWorker.addEventListener("controllerchange", warm);
      navigator.serviceWorker.ready.then(function (registration) {
        // A page that loaded while the worker was still installing is not controlled until
        // the worker claims it: ask, so this page too opens offline.
        if (!navigator.serviceWorker.controller && registration.active) {
          registration.active.postMessage({ type: "claim" });
        }
        window.setTimeout(warm, 300);
      });
    }
  }

  // A photo made ready on the phone: at most 2048 px on its longest side, re-encoded as JPEG,
  // so a 12 MP photo does not cost megabytes of a weak uplink (the server checks and
  // re-encodes it again). A file the browser cannot read goes as it is: the server says why.
  var LONGEST = 2048;
  function preparePhoto(file) {
    if (!window.createImageBitmap || !window.HTMLCanvasElement) return Promise.resolve(file);
    return window.createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, LONGEST / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; });
  }

  // --- forms that work offline ---------------------------------------------------------------
  // <form data-outbox-url="API url" data-outbox-group="redtag" data-outbox-label="…"
  //       data-outbox-kept="message" [data-outbox-photo-url="…/{id}/photo"]>
  // Online with nothing of its group waiting, the form posts as it always did (`postOrKeep`).
  // Otherwise its fields (named as the API names them) go to the outbox as JSON, its photos
  // (prepared on the phone) follow as items of their own once the object exists, and the page
  // says so.
  function fieldsOf(form) {
    var json = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "file" || el.type === "submit" || el.type === "button") return;
      if (el.name === "csrfmiddlewaretoken" || el.name === "submission_key") return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) {
        if (el.type === "checkbox" && !(el.name in json)) json[el.name] = false;
        return;
      }
      var value = el.type === "checkbox" ? true : el.value;
      if (value === "") return; // left empty: the API's default
      if (el.type === "number" || el.dataset.outboxNumber !== undefined) value = Number(value);
      json[el.name] = value;
    });
    return json;
  }

  function keepForm(form, submitter) {
    var group = form.dataset.outboxGroup;
    var photos = [];
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
      Array.prototype.push.apply(photos, Array.prototype.slice.call(input.files));
    });
    var label = form.dataset.outboxLabel || "";
    var named = form.querySelector("[data-outbox-names]");
    if (named && named.selectedOptions && named.selectedOptions[0]) {
      label += " · " + named.selectedOptions[0].textContent.trim();
    }
    var json = fieldsOf(form);
    if (submitter && submitter.name) json[submitter.name] = submitter.value;
    // The form's own key, if it has one: a page post that timed out after it reached the
    // server and this item are then one and the same write. The form gets a new key for the
    // next one.
    var keyField = form.querySelector("input[name=submission_key]");
    var key = keyField && keyField.value ? keyField.value : newKey();
    if (keyField) keyField.value = newKey().replace(/-/g, "");
    return add({ group: group + ":" + key, kind: form.dataset.outboxKind || "form", url: form.dataset.outboxUrl, json: json, label: label, key: key })
      .then(function (id) {
        return photos.reduce(function (chain, file) {
          return chain.then(function () { return preparePhoto(file); }).then(function (blob) {
            return add({
              group: group + ":" + id + ":photo",
              kind: "photo",
              after: id,
              url: form.dataset.outboxPhotoUrl,
              form: [["photo", blob, "photo.jpg"]],
              label: label
            });
          });
        }, Promise.resolve());
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.outboxUrl || !user) return;
    if (form.dataset.outboxPosting) return; // the post that was let through
    var submitter = event.submitter;
    event.preventDefault();
    idle().then(all).then(function (items) {
      var group = form.dataset.outboxGroup + ":";
      var waiting = items.some(function (i) { return i.group.indexOf(group) === 0; });
      if (navigator.onLine && !waiting) {
        return postOrKeep(form, submitter, function () { return keepForm(form, submitter).then(kept); });
      }
      return keepForm(form, submitter).then(kept);
    }, function () {
      form.dataset.outboxPosting = "1"; // no IndexedDB here: the form posts as it always did
      form.requestSubmit(submitter);
    });

    function kept() {
      var note = document.querySelector("[data-outbox-kept-note]") || document.createElement("div");
      note.className = "alert alert-info";
      note.setAttribute("role", "status");
      note.setAttribute("data-outbox-kept-note", "");
      note.setAttribute("data-testid", "kept-note");
      note.textContent = form.dataset.outboxKept || "";
      form.parentNode.insertBefore(note, form);
      Array.prototype.forEach.call(form.querySelectorAll("[data-outbox-clear]"), function (el) {
        el.value = "";
      });
      Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (el) { el.value = ""; });
      window.scrollTo(0, 0);
    }
  }, true);

  // The page's own post, tried first when the phone believes it is online. A phone "online"
  // on a dead Wi-Fi would otherwise lose the form to the browser's error page: when the post
  // never reaches the server, `keep()` puts the form in the outbox instead. A post that
  // arrived and was answered with a redirect (done) opens where it leads; one answered with
  // the form again (invalid input, nothing written) is posted as the page always did, so
  // the page shows the server's messages.
  // Where a form posts. Not `form.action`: a form with a field named "action" (the checklist's
  // buttons) answers that with the field, and the post went to ".../[object RadioNodeList]".
  function actionOf(form, submitter) {
    var raw = (submitter && submitter.getAttribute("formaction")) || form.getAttribute("action") || "";
    return new URL(raw, window.location.href).href;
  }

  function postOrKeep(form, submitter, keep) {
    var body = new FormData(form);
    if (submitter && submitter.name) body.append(submitter.name, submitter.value);
    var bytes = 0;
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
      Array.prototype.forEach.call(input.files, function (file) { bytes += file.size; });
    });
    var limit = deadline(bytes);
    return fetch(actionOf(form, submitter), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Onsite-Probe": "1" }, // the page it leads to keeps its messages for the visit
      body: body,
      signal: limit.signal
    }).then(function (response) {
      limit.clear();
      if (response.ok && response.redirected) {
        window.location.assign(response.url);
        return;
      }
      form.dataset.outboxPosting = "1";
      form.requestSubmit(submitter);
    }, function () {
      limit.clear();
      return keep();
    });
  }

  // A photo's thumbnail as the pages show it; one still on the phone (`waiting`) carries the
  // upload mark and says so.
  function thumb(src, href, waiting, imageClass) {
    var wrap = document.createElement("div");
    wrap.className = "photo-thumb" + (waiting ? " photo-waiting" : "");
    var link = document.createElement(href ? "a" : "span");
    if (href) link.href = href;
    var img = document.createElement("img");
    img.src = src;
    img.alt = "";
    img.className = imageClass;
    link.appendChild(img);
    wrap.appendChild(link);
    if (waiting) {
      wrap.setAttribute("data-testid", "photo-waiting");
      var mark = document.createElement("span");
      mark.className = "badge text-bg-warning photo-waiting-mark";
      mark.innerHTML = '<i class="bi bi-cloud-upload" aria-hidden="true"></i>';
      mark.title = T.photoWaiting || "";
      wrap.appendChild(mark);
    }
    return wrap;
  }

  window.OnsiteOutbox = {
    postOrKeep: postOrKeep,
    preparePhoto: preparePhoto,
    thumb: thumb,
    idle: idle,
    add: add,
    merge: merge,
    all: all,
    known: known,
    discard: discard,
    rebase: rebase,
    flush: flush,
    keepThisPage: keepThisPage
  };

  if (user) {
    refresh();
    schedule(300);
    window.setInterval(function () { if (navigator.onLine) flush(); }, 15000);
  }
})();
