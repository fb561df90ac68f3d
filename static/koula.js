/*
 * Koula learner activity: runs the forms rendered by koula_ui/render.py.
 *
 * One script for every platform, no framework and no build step. The page
 * holds a `.koula` root with a `.koula-context` JSON script (state, language,
 * translated strings). Koula.mount(root, options) wires its forms: answers
 * are sent as JSON to the learner actions of docs/contract.md, drafts are
 * saved while the learner types, errors are shown by their question, and
 * nothing typed is ever dropped: unsent answers wait in sessionStorage.
 *
 *   Koula.mount(root, {actionUrl: name => url, headers: {...}})
 *   window.KoulaXBlock(runtime, element)   Open edX initializer
 *   .koula[data-koula-auto]                mounted on DOMContentLoaded (LTI page)
 */
(function () {
  "use strict";

  var AUTOSAVE_DELAY = 1500;
  var SUBMIT = {
    deliverable: "submit_deliverable",
    commitment: "commit_experiment",
    return: "submit_return",
  };

  /* Split a translated string on {name} markers, putting values (text or nodes) in place. */
  function pieces(template, values) {
    return String(template || "")
      .split(/(\{\w+\})/)
      .map(function (part) {
        var name = part.charAt(0) === "{" ? part.slice(1, -1) : null;
        return name !== null && name in values ? values[name] : part;
      });
  }

  function text(template, values) {
    return pieces(template, values).join("");
  }

  function setContent(element, parts) {
    element.textContent = "";
    parts.forEach(function (part) {
      element.append(part);
    });
  }

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|;\\s*)" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  function isEmpty(value) {
    return value === null || value === "" || (Array.isArray(value) && !value.length);
  }

  /* The answers of a form, typed as the contract wants them; empty answers are left out. */
  function collect(form) {
    var values = {};
    form.querySelectorAll(".koula-field").forEach(function (field) {
      var type = field.dataset.type;
      var value;
      if (type === "choice" || type === "rating") {
        var checked = field.querySelector("input:checked");
        value = checked ? checked.value : null;
        if (checked && type === "rating") value = parseInt(checked.value, 10);
      } else {
        value = field.querySelector("[name]").value;
        value =
          type === "list"
            ? value.split(/\r?\n/).map((line) => line.trim()).filter(Boolean)
            : value.trim();
      }
      if (!isEmpty(value)) values[field.dataset.field] = value;
    });
    return values;
  }

  /* Put answers back in the controls (used to restore unsent answers after a reload). */
  function fillIn(form, values) {
    form.querySelectorAll(".koula-field").forEach(function (field) {
      var value = values[field.dataset.field];
      var type = field.dataset.type;
      if (type === "choice" || type === "rating") {
        field.querySelectorAll("input").forEach(function (input) {
          input.checked = value != null && String(value) === input.value;
        });
      } else {
        field.querySelector("[name]").value =
          value == null ? "" : Array.isArray(value) ? value.join("\n") : String(value);
      }
    });
  }

  function mount(root, options) {
    options = options || {};
    if (root && root.jquery) root = root[0];
    if (root && !root.hasAttribute("data-koula-uid")) root = root.querySelector("[data-koula-uid]");
    if (!root || root.hasAttribute("data-koula-preview")) return null;
    if (root.koula) return root.koula;

    var context = {};
    try {
      context = JSON.parse(root.querySelector(".koula-context").textContent);
    } catch (error) {
      context = {};
    }
    var t = context.i18n || {};
    var uid = root.dataset.koulaUid;
    var live = root.querySelector(".koula-status");
    var actionUrl =
      options.actionUrl ||
      function (name) {
        return String(context.api || "").replace(/\/$/, "") + "/" + name;
      };
    var sent = 0; // requests sent, to apply only the newest state that comes back
    var applied = 0;
    var forms = [];

    function storageKey(f) {
      return "koula:" + uid + ":" + f.part;
    }

    function keep(f, values) {
      try {
        sessionStorage.setItem(storageKey(f), JSON.stringify(values));
      } catch (error) {
        /* storage may be full or disabled: the answers are still on the page */
      }
    }

    function forget(f) {
      try {
        sessionStorage.removeItem(storageKey(f));
      } catch (error) {
        /* nothing to forget */
      }
    }

    function timeElement(iso) {
      var match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
      if (!match) return "";
      var element = document.createElement("time");
      element.setAttribute("datetime", match[0]);
      element.textContent = text(t.date_format, {
        day: String(Number(match[3])),
        month: (t.months || [])[Number(match[2]) - 1] || match[2],
        year: match[1],
      });
      return element;
    }

    function announce(message) {
      live.textContent = "";
      setTimeout(function () {
        live.textContent = message;
      }, 50);
    }

    function quiet(f, message) {
      if (f.autosave) f.autosave.textContent = message;
    }

    function percent(fraction) {
      var value = Math.round(Math.min(Math.max(Number(fraction) || 0, 0), 1) * 100);
      return { number: value, text: text(t.percent || "{value}%", { value: String(value) }) };
    }

    function setProgress(name, value) {
      var element = root.querySelector('[data-progress="' + name + '"]');
      if (element) element.textContent = value;
      return element;
    }

    function applyState(state) {
      context.state = state;
      var progress = state.progress || {};
      var completion = percent(progress.completion);
      setProgress("completion", completion.text);
      setProgress("score", percent(progress.score).text);
      var activity = setProgress("activity", (t.activity || {})[progress.activity] || "");
      if (activity) activity.dataset.value = progress.activity || "";
      var meter = root.querySelector('[data-progress="meter"]');
      if (meter) meter.value = completion.number;
      forms.forEach(function (f) {
        updateForm(f, state);
      });
    }

    function updateForm(f, state) {
      var s = state[f.part] || {};
      var done = s.status === "submitted" || s.status === "committed";
      var line = [s.status === "draft" ? t.status_draft : t.status_empty];
      if (s.status === "committed") {
        line = pieces(t.status_committed, {
          date: timeElement(s.committed_at),
          due: timeElement(s.due_on),
        });
      } else if (s.status === "submitted") {
        line = pieces(t.status_submitted, { date: timeElement(s.submitted_at) });
      }
      f.status.dataset.status = s.status || "empty";
      setContent(f.status, line);
      f.changes.hidden = !(done && s.draft != null);
      f.button.textContent = done ? t.submit_changes : t["submit_" + f.part];
      if (f.part === "return") {
        var commitment = state.commitment || {};
        var locked = commitment.status !== "committed";
        f.body.disabled = locked;
        f.form.querySelector('[data-role="lock"]').hidden = !locked;
        var due = f.form.querySelector('[data-role="due"]');
        due.hidden = !commitment.due_on;
        setContent(due, pieces(t.return_due, { date: timeElement(commitment.due_on) }));
      }
    }

    function clearFieldError(field) {
      var error = field.querySelector(".koula-error");
      if (error.hidden) return;
      error.hidden = true;
      error.textContent = "";
      field.classList.remove("koula-invalid");
      field.querySelectorAll("[aria-invalid]").forEach(function (element) {
        element.removeAttribute("aria-invalid");
      });
    }

    function clearErrors(f) {
      f.form.querySelectorAll(".koula-field").forEach(clearFieldError);
      f.formError.textContent = "";
    }

    /* Show {key: message} by each question; "_" and unknown keys go to the form's alert. */
    function showErrors(f, errors, moveFocus) {
      var first = null;
      var general = [];
      f.form.querySelectorAll(".koula-field").forEach(function (field) {
        var message = errors[field.dataset.field];
        if (!message) return;
        var error = field.querySelector(".koula-error");
        error.textContent = message;
        error.hidden = false;
        field.classList.add("koula-invalid");
        var group = field.querySelector(".koula-choices");
        (group || field.querySelector("[name]")).setAttribute("aria-invalid", "true");
        if (!first) {
          first = group
            ? field.querySelector("input:checked") || field.querySelector("input")
            : field.querySelector("[name]");
        }
      });
      Object.keys(errors).forEach(function (key) {
        if (!f.form.querySelector('[data-field="' + key.replace(/["\\]/g, "") + '"]')) {
          general.push(errors[key]);
        }
      });
      if (first && moveFocus) general.unshift(t.fix_fields);
      f.formError.textContent = general.join(" ");
      if (first && moveFocus) first.focus();
    }

    function headers() {
      var all = { "Content-Type": "application/json", Accept: "application/json" };
      if (context.token) all.Authorization = "Bearer " + context.token;
      var csrf = cookie("csrftoken");
      if (csrf) all["X-CSRFToken"] = csrf;
      return Object.assign(all, options.headers || {});
    }

    /* POST one action; resolve to true when the server took it (never rejects). */
    async function send(f, action, body, isSubmit) {
      var mine = ++sent;
      var response;
      var data = null;
      try {
        response = await fetch(actionUrl(action), {
          method: "POST",
          headers: headers(),
          body: JSON.stringify(body),
          credentials: "same-origin",
        });
        data = await response.json().catch(function () {
          return null;
        });
      } catch (error) {
        keep(f, body.values);
        report(f, t.network_error, isSubmit);
        return false;
      }
      var errors = data && data.errors;
      if (response.ok && data && !errors) {
        forget(f);
        f.last = JSON.stringify(body.values);
        if (mine > applied) {
          applied = mine;
          applyState(data);
        }
        return true;
      }
      if ((response.status === 400 || response.status === 409) && errors) {
        // The server keeps refused answers as the draft (contract); a refused draft is kept here.
        if (isSubmit) forget(f);
        else keep(f, body.values);
        f.last = JSON.stringify(body.values);
        showErrors(f, errors, isSubmit);
        if (!isSubmit) quiet(f, "");
        return false;
      }
      keep(f, body.values);
      var template = response.status >= 500 ? t.server_error : t.refused_error;
      report(f, text(template, { status: String(response.status) }), isSubmit);
      return false;
    }

    function report(f, message, isSubmit) {
      if (isSubmit) f.formError.textContent = message;
      else quiet(f, t.draft_not_saved);
    }

    function schedule(f) {
      clearTimeout(f.timer);
      f.timer = setTimeout(function () {
        saveDraft(f);
      }, AUTOSAVE_DELAY);
    }

    function saveDraft(f) {
      clearTimeout(f.timer);
      if (f.busy || f.body.disabled) return;
      if (f.inflight) return schedule(f);
      var values = collect(f.form);
      if (JSON.stringify(values) === f.last) return;
      quiet(f, t.saving);
      f.inflight = send(f, "save_draft", { part: f.part, values: values }, false).then(
        function (ok) {
          f.inflight = null;
          if (!ok) return;
          var time = new Date().toLocaleTimeString(context.lang || undefined, {
            hour: "2-digit",
            minute: "2-digit",
          });
          quiet(f, text(t.draft_saved_at, { time: time }));
        }
      );
    }

    async function submit(f) {
      if (f.busy || f.body.disabled) return;
      f.busy = true;
      clearTimeout(f.timer);
      f.button.setAttribute("aria-disabled", "true");
      f.form.setAttribute("aria-busy", "true");
      try {
        if (f.inflight) await f.inflight; // let a draft on its way land first
        var values = collect(f.form);
        clearErrors(f);
        quiet(f, "");
        if (await send(f, SUBMIT[f.part], { values: values }, true)) {
          var s = context.state[f.part] || {};
          var message = t["done_" + f.part] || "";
          var due = (context.state.commitment || {}).due_on;
          announce(text(message, { date: due ? timeElement(due).textContent : "" }));
          quiet(f, s.status ? "✓" : "");
        }
      } finally {
        f.busy = false;
        f.button.removeAttribute("aria-disabled");
        f.form.removeAttribute("aria-busy");
      }
    }

    function setUp(form) {
      var f = {
        form: form,
        part: form.dataset.part,
        body: form.querySelector(".koula-body"),
        button: form.querySelector("button[type=submit]"),
        status: form.querySelector('[data-role="status"]'),
        changes: form.querySelector('[data-role="changes"]'),
        formError: form.querySelector('[data-role="form-error"]'),
        autosave: form.querySelector('[data-role="autosave"]'),
        busy: false,
        inflight: null,
        timer: null,
      };
      f.last = JSON.stringify(collect(form));
      var stored = null;
      try {
        stored = JSON.parse(sessionStorage.getItem(storageKey(f)) || "null");
      } catch (error) {
        stored = null;
      }
      if (stored && JSON.stringify(stored) !== f.last) {
        fillIn(form, stored);
        var note = form.querySelector('[data-role="restored"]');
        note.textContent = t.restored;
        note.hidden = false;
        schedule(f);
      }
      function edited(event) {
        var field = event.target.closest(".koula-field");
        if (field) clearFieldError(field);
        keep(f, collect(form));
        schedule(f);
      }
      form.addEventListener("input", edited);
      form.addEventListener("change", edited);
      form.addEventListener("focusout", function (event) {
        var next = event.relatedTarget;
        var field = event.target.closest(".koula-field");
        if (next && (next === f.button || (field && field.contains(next)))) return;
        saveDraft(f);
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        submit(f);
      });
      return f;
    }

    root.querySelectorAll("form.koula-form").forEach(function (form) {
      forms.push(setUp(form));
    });
    root.koula = {
      root: root,
      state: function () {
        return context.state;
      },
    };
    return root.koula;
  }

  window.Koula = { mount: mount };

  window.KoulaXBlock = function (runtime, element) {
    var node = element && element.jquery ? element[0] : element;
    var root = node.matches(".koula") ? node : node.querySelector(".koula");
    return mount(root, {
      actionUrl: function (name) {
        return runtime.handlerUrl(node, name);
      },
    });
  };

  function autoMount() {
    document.querySelectorAll(".koula[data-koula-auto]").forEach(function (root) {
      mount(root);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", autoMount);
  } else {
    autoMount();
  }
})();
