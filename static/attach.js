// The attachment form (/runs/{id}/attachments/new) with a progress bar:
// the file goes to the form's own action with "Accept: application/json";
// XMLHttpRequest reports the upload's progress and, on 201, the page moves
// to the run. Without JavaScript the form posts as a plain multipart form.
(function () {
  "use strict";
  var form = document.querySelector('form[data-upload="attachment"]');
  if (!form) return;
  var box = form.querySelector(".upload-progress");
  var bar = document.getElementById("upload-bar");
  var status = document.getElementById("upload-status");
  var out = document.getElementById("upload-result");

  form.addEventListener("submit", function (ev) {
    var file = form.elements.file.files[0];
    if (!file) return; // let the server say what is missing
    ev.preventDefault();
    var data = new FormData();
    data.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    box.hidden = false;
    bar.value = 0;
    status.textContent = "Uploading…";
    out.textContent = "";
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
    };
    xhr.onload = function () {
      bar.value = 100;
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* an HTML page */ }
      if (xhr.status === 201 && body && body.location) {
        status.textContent = "Done";
        window.location.assign(body.location);
        return;
      }
      status.textContent = "Failed";
      var p = document.createElement("p");
      p.className = "form-errors";
      p.setAttribute("role", "alert");
      var msg = "The upload failed (HTTP " + xhr.status + ").";
      if (body && body.errors && body.errors.length) msg = body.errors.map(function (e) { return e.message; }).join(" ");
      else if (body && body.detail) msg = body.detail;
      p.textContent = msg;
      out.appendChild(p);
    };
    xhr.onerror = function () {
      status.textContent = "Failed";
      out.textContent = "The connection failed; check the run page before sending the file again.";
    };
    xhr.send(data);
  });
})();
