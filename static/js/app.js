// Progressive enhancement only: every page works without this file.
// 1. Autosave: on the questionnaire form, each change is posted (with the CSRF token
//    already in the form) as action=autosave; the server saves what is valid and
//    returns field errors, shown beside the field. What could not be sent is kept in
//    localStorage and filled in again when the page is next opened.
// 2. Copy buttons for the private resume link.
// 3. Bulk report progress: polls the job's JSON and updates the bar until nothing is
//    pending, then reloads once to show the download (without JS: a Refresh link).
// 4. A report still being prepared: polls its status and starts the download once it is
//    ready, or once the worker gave up (the download then renders it); without JS, a button.
(function () {
  "use strict";

  function text(key) {
    var zh = document.documentElement.lang === "zh-Hans";
    var t = {
      saving: zh ? "正在保存…" : "Saving…",
      saved: zh ? "已自动保存" : "Saved",
      failed: zh ? "无法保存（登录状态可能已过期）。您刚填写的内容已暂存在本浏览器中：请打开您的私人链接继续，这些内容会自动填回并保存。" : "Could not save automatically (your session may have expired). What you typed is kept in this browser: open your private link to continue, and it will be filled in again and saved.",
      restored: zh ? "已填回上次未能保存的内容，正在保存…" : "Filled in again what could not be saved last time; saving…",
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

  // What an autosave could not send (an expired session, a lost connection) is kept in this
  // browser under the page's path without its language, and filled in again the next time
  // the page opens (after the private link); it is removed once a save succeeds.
  var SKIP = { csrfmiddlewaretoken: true, action: true, _loaded: true };

  function pendingKey(form) {
    return "sme-unsaved:" + form.dataset.autosave.replace(/^\/[^/]+/, "");
  }

  function keepUnsaved(form) {
    var values = {};
    new FormData(form).forEach(function (value, name) {
      if (SKIP[name] || typeof value !== "string") return;
      (values[name] = values[name] || []).push(value);
    });
    try { window.localStorage.setItem(pendingKey(form), JSON.stringify(values)); } catch (e) { /* storage off */ }
  }

  function forgetUnsaved(form) {
    try { window.localStorage.removeItem(pendingKey(form)); } catch (e) { /* storage off */ }
  }

  function restoreUnsaved(form) {
    var values;
    try { values = JSON.parse(window.localStorage.getItem(pendingKey(form)) || "null"); } catch (e) { return false; }
    if (!values) return false;
    Object.keys(values).forEach(function (name) {
      form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']").forEach(function (field) {
        if (field.type === "radio" || field.type === "checkbox") field.checked = values[name].indexOf(field.value) !== -1;
        else field.value = values[name][0];
      });
    });
    return true;
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
        // URL-encoded, as the form posts itself without JavaScript: the page has no file
        // to send, and the server reads this faster than a multipart body.
        body: new URLSearchParams(data),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (!result.ok) {
          if (!result.body.error) keepUnsaved(form);
          status.textContent = result.body.error || text("failed");
          return;
        }
        forgetUnsaved(form);
        // The page now shows what it just sent: later saves compare against that.
        if (result.body.loaded) form.querySelector("input[name=_loaded]").value = JSON.stringify(result.body.loaded);
        var errors = result.body.errors || {};
        showErrors(form, errors);
        status.textContent = Object.keys(errors).length ? text("fix") : text("saved");
      }).catch(function () {
        keepUnsaved(form);
        status.textContent = text("failed");
      }).finally(function () {
        inFlight = false;
        if (queued) { queued = false; save(); }
      });
    }

    if (restoreUnsaved(form)) {
      status.textContent = text("restored");
      save();
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

  function setupReportStatus(box) {
    var waiting = box.querySelector("[data-report-waiting]");
    var started = box.querySelector("[data-report-started]");
    var status = box.querySelector("[data-report-status]");
    if (waiting) waiting.hidden = false;
    var tries = 0;
    function poll() {
      fetch(box.dataset.reportStatusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (s) {
          if (s.preparing && ++tries < 120) { window.setTimeout(poll, 1000); return; }
          window.location.assign(box.dataset.reportPdfUrl);
          if (status) status.hidden = true;
          if (started) started.hidden = false;
        })
        .catch(function () { if (++tries < 120) window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-report-status-url]").forEach(setupReportStatus);
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
