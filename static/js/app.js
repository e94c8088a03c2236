// Progressive enhancement only: every page works without this file.
// 1. Autosave: on the questionnaire form, each change is posted (with the CSRF token
//    already in the form) as action=autosave; the server saves what is valid and
//    returns field errors, shown beside the field.
// 2. Copy buttons for the private resume link.
// 3. Bulk report progress: polls the job's JSON and updates the bar until nothing is
//    pending, then reloads once to show the download (without JS: a Refresh link).
(function () {
  "use strict";

  function text(key) {
    var zh = document.documentElement.lang === "zh-Hans";
    var t = {
      saving: zh ? "正在保存…" : "Saving…",
      saved: zh ? "已自动保存" : "Saved",
      failed: zh ? "暂时无法自动保存。请点击“保存，稍后继续”，您的答案不会丢失。" : "Could not save automatically. Use “Save and continue later”; your answers are still on this page.",
      fix: zh ? "有答案需要修改，请看标出的问题。" : "Some answers need correcting; see the marked questions.",
      copied: zh ? "已复制" : "Copied",
    };
    return t[key];
  }

  function showErrors(form, errors) {
    form.querySelectorAll(".js-autosave-error").forEach(function (el) { el.remove(); });
    Object.keys(errors || {}).forEach(function (name) {
      var wrapper = form.querySelector("#div_id_" + name);
      if (!wrapper) return;
      var p = document.createElement("p");
      p.className = "invalid-feedback d-block js-autosave-error";
      p.textContent = errors[name].join(" ");
      wrapper.appendChild(p);
    });
  }

  function setupAutosave(form) {
    var status = form.querySelector(".autosave-status");
    var timer = null;
    var inFlight = false;
    var queued = false;

    function save() {
      if (inFlight) { queued = true; return; }
      inFlight = true;
      var data = new FormData(form);
      data.set("action", "autosave");
      status.textContent = text("saving");
      fetch(form.dataset.autosave, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (!result.ok) { status.textContent = result.body.error || text("failed"); return; }
        // The page now shows what it just sent: later saves compare against that.
        if (result.body.loaded) form.querySelector("input[name=_loaded]").value = JSON.stringify(result.body.loaded);
        var errors = result.body.errors || {};
        showErrors(form, errors);
        status.textContent = Object.keys(errors).length ? text("fix") : text("saved");
      }).catch(function () {
        status.textContent = text("failed");
      }).finally(function () {
        inFlight = false;
        if (queued) { queued = false; save(); }
      });
    }

    form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(save, 150); });
    form.addEventListener("input", function (event) {
      if (event.target.matches("input[type=text], input[type=number], textarea")) {
        clearTimeout(timer);
        timer = setTimeout(save, 800);
      }
    });
  }

  function setupProgress(bar) {
    var label = document.getElementById(bar.dataset.progressLabel);
    function poll() {
      fetch(bar.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (p) {
          bar.value = p.done + p.failed;
          bar.max = p.total || 1;
          if (label) label.textContent = label.dataset.template
            .replace("{done}", p.done).replace("{failed}", p.failed).replace("{total}", p.total);
          if (p.pending > 0) window.setTimeout(poll, 2000);
          else if (bar.dataset.pendingAtLoad !== "0") window.location.reload();
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    if (bar.dataset.pendingAtLoad !== "0") window.setTimeout(poll, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-autosave]").forEach(setupAutosave);
    document.querySelectorAll("[data-progress-url]").forEach(setupProgress);
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var input = document.querySelector(button.dataset.copy);
        input.select();
        if (navigator.clipboard) navigator.clipboard.writeText(input.value);
        button.textContent = text("copied");
      });
    });
  });
})();
