// The import form's progress bar (issue 7). Without this script the form
// posts to /imports/new and the server renders the result; with it, the
// file goes to POST /api/v1/imports/{kind} with "Accept:
// application/x-ndjson": XMLHttpRequest reports the upload's progress, and
// the answer's NDJSON lines report rows read, then the outcome. The session
// cookie authenticates the request; the form's token is its
// Idempotency-Key, so a retry records nothing twice.
"use strict";
(function () {
  var form = document.querySelector('form[data-upload="import"]');
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var box = form.querySelector(".upload-progress");
  var bar = document.getElementById("upload-bar");
  var status = document.getElementById("upload-status");
  var out = document.getElementById("upload-result");

  function el(tag, text) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text; // never innerHTML: values come from the file
    return e;
  }

  function showProblems(problem) {
    out.textContent = "";
    var div = el("div");
    div.className = "form-errors";
    div.id = "problems";
    div.setAttribute("role", "alert");
    div.appendChild(el("p", problem.detail || problem.title || "The import failed."));
    var errs = problem.errors || [];
    if (errs.length) {
      var t = el("table"), head = el("tr"), body = el("tbody");
      t.appendChild(el("caption", errs.length + (errs.length === 1 ? " problem" : " problems") + "; nothing was recorded"));
      ["Row", "Column", "Value", "Problem"].forEach(function (h) {
        var th = el("th", h);
        th.scope = "col";
        head.appendChild(th);
      });
      var thead = el("thead");
      thead.appendChild(head);
      t.appendChild(thead);
      errs.forEach(function (e) {
        var tr = el("tr");
        var row = el("td", e.row ? String(e.row) : "");
        row.className = "num";
        tr.appendChild(row);
        tr.appendChild(el("td", e.column || e.field || ""));
        tr.appendChild(el("td", e.value || ""));
        tr.appendChild(el("td", e.message || ""));
        body.appendChild(tr);
      });
      t.appendChild(body);
      div.appendChild(t);
    }
    out.appendChild(div);
  }

  function showDone(result, replayed) {
    out.textContent = "";
    var rows = result.rows + (result.rows === 1 ? " row" : " rows");
    var p = el("p", (replayed ? "This file was already imported: " : "Imported ") + rows + ".");
    p.className = "done";
    p.setAttribute("role", "status");
    p.setAttribute("data-done", "");
    if (result.dry_run) {
      // a dry run created nothing: no link, and the form keeps its key
      p.textContent = "Dry run: " + rows + " checked, all valid; nothing was recorded.";
      out.appendChild(p);
      return;
    }
    var a = el("a", " Open it");
    // The runs this import created; units show on the dashboard.
    a.href = result.kind === "units" || !result.import_id ? "/" : "/runs?import=" + encodeURIComponent(result.import_id);
    p.appendChild(document.createTextNode(" "));
    p.appendChild(a);
    out.appendChild(p);
  }

  form.addEventListener("submit", function (ev) {
    var kind = form.elements.kind.value;
    var file = form.elements.file.files[0];
    if (!kind || !file) return; // let the server say what is missing
    ev.preventDefault();
    var data = new FormData();
    data.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    var dry = form.elements.dry_run && form.elements.dry_run.checked;
    xhr.open("POST", "/api/v1/imports/" + encodeURIComponent(kind) + (dry ? "?dry_run=true" : ""));
    xhr.setRequestHeader("Accept", "application/x-ndjson");
    xhr.setRequestHeader("Idempotency-Key", form.elements.token.value);
    box.hidden = false;
    bar.value = 0;
    status.textContent = "Uploading…";
    out.textContent = "";
    var seen = 0, last = null;
    function readLines() {
      var text = xhr.responseText, nl;
      while ((nl = text.indexOf("\n", seen)) >= 0) {
        var line = text.slice(seen, nl);
        seen = nl + 1;
        if (!line) continue;
        try { last = JSON.parse(line); } catch (e) { continue; }
        if (last.status === undefined) status.textContent = last.rows + " rows checked";
      }
    }
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
    };
    xhr.onprogress = readLines;
    xhr.onload = function () {
      readLines();
      bar.value = 100;
      if (xhr.status !== 200 || !last || last.status === undefined) {
        var p = null;
        try { p = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        status.textContent = "Failed";
        showProblems(p || { detail: "The upload failed (HTTP " + xhr.status + ")." });
        return;
      }
      if (last.status >= 200 && last.status < 300) {
        status.textContent = "Done";
        showDone(last.result, last.replayed);
        if (last.result.dry_run) return;
        // The next file is a new import, with a key of its own.
        var b = new Uint8Array(16);
        window.crypto.getRandomValues(b);
        form.elements.token.value = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
      } else {
        status.textContent = "Failed";
        showProblems(last.problem || {});
      }
    };
    xhr.onerror = function () {
      status.textContent = "Failed";
      showProblems({ detail: "The connection failed; nothing may have been recorded. Submit again: the same file is not imported twice." });
    };
    xhr.send(data);
  });
})();
