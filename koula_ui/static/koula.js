/*
 * Koula learner activity: runs the forms rendered by koula_ui/render.py.
 *
 * One script for every platform, with no framework and no build step. The
 * page holds a `.koula` root with a `.koula-context` JSON script (state,
 * language, translated strings). Koula.mount(root, options) wires its forms:
 * answers go as JSON to the learner actions of docs/learner-api.md, drafts are
 * saved while the learner types, errors are shown by their question, and
 * nothing typed is dropped: answers not yet accepted wait in sessionStorage.
 *
 *   Koula.mount(root, {actionUrl: (name) => url, headers: {...}})
 *   window.KoulaXBlock(runtime, element)   the Open edX initializer
 *   .koula[data-koula-auto]                mounted on DOMContentLoaded (LTI page)
 *
 * The next step first: each part's heading holds a button (aria-expanded) that folds its
 * region; the server draws only the current part open. After a submit, the part folds, the
 * next one opens, focus goes to its heading's button and the live region says what is next;
 * once every part is in, the "All done" summary shows. The agenda folds once the card is in.
 *
 * A form with data-session (carried.html, LTI only) is an earlier session's return form:
 * its actions carry {"session": id}, its answer is that session's state (the page's own
 * state is left alone), and once it is in, the form is marked done.
 */
(() => {
  "use strict";

  const AUTOSAVE_DELAY = 1500;
  const SUBMIT = {
    deliverable: "submit_deliverable",
    commitment: "commit_experiment",
    return: "submit_return",
  };

  /* Split a translated string on {name} markers and put values (text or nodes) in place. */
  const pieces = (template, values) =>
    String(template || "")
      .split(/(\{\w+\})/)
      .map((part) => {
        const name = part.charAt(0) === "{" ? part.slice(1, -1) : null;
        return name !== null && name in values ? values[name] : part;
      });

  const format = (template, values) => pieces(template, values).join("");

  const setContent = (element, parts) => {
    element.textContent = "";
    parts.forEach((part) => element.append(part));
  };

  const cookie = (name) => {
    const match = document.cookie.match(new RegExp("(?:^|;\\s*)" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  };

  /* A date field's text as YYYY-MM-DD: the page's day/month/year (d/m/yyyy or dd/mm/yyyy,
     separated by / - or .) or already YYYY-MM-DD; null when it names no real date. */
  const isoDate = (text) => {
    const typed = (text || "").trim();
    const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(typed);
    const page = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/.exec(typed);
    if (!iso && !page) return null;
    const [year, month, day] = iso
      ? [iso[1], iso[2], iso[3]].map(Number)
      : [page[4], page[3], page[1]].map(Number);
    const date = new Date(Date.UTC(2000, month - 1, day));
    date.setUTCFullYear(year);
    if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
    const two = (n) => String(n).padStart(2, "0");
    return String(year).padStart(4, "0") + "-" + two(month) + "-" + two(day);
  };
  /* A YYYY-MM-DD date as a date field shows it (dd/mm/yyyy); other text as it is. */
  const shownDate = (value) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    return match ? match[3] + "/" + match[2] + "/" + match[1] : value;
  };
  /* The keys of a form's date fields whose text is no date. */
  const unreadDates = (form) =>
    Array.from(form.querySelectorAll('.koula-field[data-type="date"]'))
      .filter((field) => {
        const text = field.querySelector("[name]").value.trim();
        return text !== "" && !isoDate(text);
      })
      .map((field) => field.dataset.field);

  const isChoice = (field) => field.dataset.type === "choice" || field.dataset.type === "rating";

  /* The answers of a form, typed as the contract wants them; empty answers are left out. */
  const collect = (form) => {
    const values = {};
    form.querySelectorAll(".koula-field").forEach((field) => {
      const type = field.dataset.type;
      let value;
      if (isChoice(field)) {
        const checked = field.querySelector("input:checked");
        value = checked ? checked.value : "";
        if (checked && type === "rating") value = parseInt(checked.value, 10);
      } else {
        value = field.querySelector("[name]").value;
        value =
          type === "list"
            ? value.split(/\r?\n/).map((line) => line.trim()).filter(Boolean)
            : value.trim();
        // A date goes as YYYY-MM-DD; text that is no date stays as typed (the browser's copy).
        if (type === "date") value = isoDate(value) || value;
      }
      if (value !== "" && !(Array.isArray(value) && !value.length)) {
        values[field.dataset.field] = value;
      }
    });
    return values;
  };

  /* Put answers back in the controls (to restore unsent answers after a reload). */
  const fillIn = (form, values) => {
    form.querySelectorAll(".koula-field").forEach((field) => {
      const value = values[field.dataset.field];
      if (isChoice(field)) {
        field.querySelectorAll("input").forEach((input) => {
          input.checked = value != null && String(value) === input.value;
        });
      } else {
        const text = value == null ? "" : Array.isArray(value) ? value.join("\n") : String(value);
        field.querySelector("[name]").value =
          field.dataset.type === "date" ? shownDate(text) : text;
      }
    });
  };

  function mount(root, options = {}) {
    if (root && root.jquery) root = root[0];
    if (root && !root.hasAttribute("data-koula-uid")) root = root.querySelector("[data-koula-uid]");
    if (!root || root.hasAttribute("data-koula-preview")) return null;
    if (root.koula) return root.koula;

    let context = {};
    try {
      context = JSON.parse(root.querySelector(".koula-context").textContent);
    } catch (error) {
      context = {};
    }
    const t = context.i18n || {};
    const uid = root.dataset.koulaUid;
    const live = root.querySelector(".koula-status");
    const actionUrl =
      options.actionUrl || ((name) => String(context.api || "").replace(/\/$/, "") + "/" + name);
    const forms = [];
    const onState = []; // other parts of the page that follow the state
    let sent = 0; // numbers requests, so that only the newest state that comes back is shown
    let shown = 0;

    const storageKey = (f) => "koula:" + uid + ":" + (f.session ? f.session + ":" : "") + f.part;
    const keep = (f, values) => {
      try {
        sessionStorage.setItem(storageKey(f), JSON.stringify(values));
      } catch (error) {
        /* storage full or disabled: the answers are still on the page */
      }
    };
    const forget = (f, values) => {
      // Forget the copy only if the learner has not typed more since these values left.
      if (JSON.stringify(collect(f.form)) !== JSON.stringify(values)) return;
      try {
        sessionStorage.removeItem(storageKey(f));
      } catch (error) {
        /* nothing to forget */
      }
    };

    const dateText = (iso) => {
      const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
      if (!match) return null;
      return format(t.date_format, {
        day: String(Number(match[3])),
        month: (t.months || [])[Number(match[2]) - 1] || match[2],
        year: match[1],
      });
    };
    const timeElement = (iso) => {
      const readable = dateText(iso);
      if (!readable) return "";
      const element = document.createElement("time");
      element.setAttribute("datetime", iso.slice(0, 10));
      element.textContent = readable;
      return element;
    };

    const announce = (message) => {
      live.textContent = "";
      setTimeout(() => (live.textContent = message), 50);
    };
    const quiet = (f, message) => {
      if (f.autosave) f.autosave.textContent = message;
    };

    const percent = (fraction) => {
      const value = Math.round(Math.min(Math.max(Number(fraction) || 0, 0), 1) * 100);
      return { value, text: format(t.percent || "{value}%", { value: String(value) }) };
    };
    const progressElement = (name) => root.querySelector('[data-progress="' + name + '"]');

    function applyState(state) {
      context.state = state;
      const progress = state.progress || {};
      const completion = percent(progress.completion);
      const parts = {
        completion: completion.text,
        score: percent(progress.score).text,
        activity: (t.activity || {})[progress.activity] || "",
      };
      Object.keys(parts).forEach((name) => {
        const element = progressElement(name);
        if (element) element.textContent = parts[name];
      });
      const activity = progressElement("activity");
      if (activity) activity.dataset.value = progress.activity || "";
      const meter = progressElement("meter");
      if (meter) meter.value = completion.value;
      forms.forEach((f) => updateForm(f, state));
      showDone(state);
      onState.forEach((follow) => follow(state));
    }

    const isDone = (s) => Boolean(s) && (s.status === "submitted" || s.status === "committed");

    /* A part done that can no longer change (data-final-after: the core's rule, drawn by
       render.py): the commitment once the return is in. It opens read-only. */
    const isFinal = (form, state) =>
      Boolean(form && form.dataset.finalAfter) && isDone(state[form.dataset.finalAfter]);

    /* Fold or unfold the region of a heading's button; its last word says what a press does. */
    function fold(button, open) {
      if (!button) return;
      button.setAttribute("aria-expanded", String(open));
      root.querySelector("#" + button.getAttribute("aria-controls")).hidden = !open;
      const status = button.querySelector('[data-role="status"]');
      const done = status && /^(submitted|committed)$/.test(status.dataset.status);
      const edit = done && !isFinal(button.closest("form"), context.state);
      button.querySelector(".koula-fold-word").textContent = open
        ? t.fold_hide
        : edit ? t.fold_edit : t.fold_show;
    }
    root.addEventListener("click", (event) => {
      const button = event.target.closest(".koula-fold");
      if (button) fold(button, button.getAttribute("aria-expanded") !== "true");
    });

    /* The "All done" summary under the header, once every part is in. */
    function showDone(state) {
      const box = root.querySelector('[data-role="all-done"]');
      const last = forms[forms.length - 1];
      if (!box || !last) return;
      const s = state[last.part] || {};
      box.hidden = !forms.every((f) => isDone(state[f.part]));
      const final = forms.some((f) => isFinal(f.form, state)); // promise no change to it
      setContent(
        box.querySelector('[data-role="done-line"]'),
        pieces(final ? t.all_done_final : t.all_done, { date: timeElement(s.submitted_at) })
      );
      const answer = box.querySelector('[data-role="done-answer"]');
      const first = last.form.querySelector(".koula-field");
      if (!answer || !first) return;
      const checked = first.querySelector("input:checked");
      const typed = first.querySelector("[name]:not([type=radio])");
      answer.textContent = checked
        ? checked.closest("label").textContent.trim()
        : typed ? typed.value.trim() : "";
      answer.parentNode.hidden = !answer.textContent;
    }

    /* A part is in: fold it and, unless it was a change to a part already done, open the
       next step (or the summary) and move focus there. Returns what to announce next. */
    function moveOn(f, revised) {
      const state = context.state;
      fold(f.fold, false);
      if (f.part === "deliverable" && !revised) {
        fold(root.querySelector('[data-role="agenda"] .koula-fold'), false); // the session is over
      }
      const next = forms.find(
        (g) => !isDone(state[g.part]) && !(g.part === "return" && !isDone(state.commitment))
      );
      if (revised || !next) {
        const done = root.querySelector('[data-role="all-done"]');
        (revised || !done || done.hidden ? f.fold : done.querySelector("h3")).focus();
        return "";
      }
      fold(next.fold, true);
      next.fold.focus();
      return format(t.next_step, { step: next.form.querySelector(".koula-fold-name").textContent });
    }

    function updateForm(f, state) {
      const s = state[f.part] || {};
      const done = isDone(s);
      let line = [s.status === "draft" ? t.status_draft : t.status_empty];
      const returned = (state.return || {}).status === "submitted"; // nothing left to ask for
      if (s.status === "committed" && returned) {
        line = pieces(t.status_committed_returned, { date: timeElement(s.committed_at) });
      } else if (s.status === "committed") {
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
      if (f.form.dataset.finalAfter) {
        const final = isFinal(f.form, state);
        f.form.dataset.step = final ? "final" : done ? "done" : f.form.dataset.step;
        f.body.disabled = final;
        f.button.parentNode.hidden = final; // no submit button
        if (f.fold) fold(f.fold, f.fold.getAttribute("aria-expanded") === "true");
      }
      if (f.part === "return") {
        const commitment = state.commitment || {};
        const locked = commitment.status !== "committed";
        const calendar = f.form.querySelector('[data-role="calendar"]');
        if (calendar) calendar.hidden = locked || returned; // "Add to my calendar"
        const what = f.form.querySelector('[data-role="what"]');
        const named = (commitment.values || {})[what.dataset.key];
        what.hidden = !named;
        setContent(what, pieces(t.your_experiment, { what: named || "" }));
        f.body.disabled = locked;
        f.body.hidden = locked;
        f.form.querySelector('[data-role="lock"]').hidden = !locked;
        const due = f.form.querySelector('[data-role="due"]');
        due.hidden = !commitment.due_on || returned;
        setContent(due, pieces(t.return_due, { date: timeElement(commitment.due_on) }));
      }
    }

    /* The form's alert (role=alert) sits just above the sticky submit bar: bring it into
       view above the bar, whose height the scroll leaves free; focus stays where it is. */
    function revealFormError(f) {
      const bar = f.button && f.button.parentNode.getBoundingClientRect();
      const box = f.formError.getBoundingClientRect();
      if (!f.formError.textContent || !bar) return;
      if (box.bottom <= bar.top && box.top >= 0) return;
      f.formError.style.scrollMarginBottom = Math.ceil(bar.height) + 8 + "px";
      f.formError.scrollIntoView({ block: "nearest" });
    }

    function clearFieldError(field) {
      const error = field.querySelector(".koula-error");
      if (error.hidden) return;
      error.hidden = true;
      error.textContent = "";
      field.classList.remove("koula-invalid");
      field.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    }

    function clearErrors(f) {
      f.form.querySelectorAll(".koula-field").forEach(clearFieldError);
      f.formError.textContent = "";
    }

    /* Show {key: message} by each question; "_" and unknown keys go to the form's alert. */
    function showErrors(f, errors, moveFocus) {
      const fields = Array.from(f.form.querySelectorAll(".koula-field"));
      const general = Object.keys(errors)
        .filter((key) => !fields.some((field) => field.dataset.field === key))
        .map((key) => errors[key]);
      let first = null;
      fields.forEach((field) => {
        const message = errors[field.dataset.field];
        if (!message) return;
        const error = field.querySelector(".koula-error");
        error.textContent = message;
        error.hidden = false;
        field.classList.add("koula-invalid");
        const group = field.querySelector(".koula-choices");
        (group || field.querySelector("[name]")).setAttribute("aria-invalid", "true");
        first =
          first ||
          (group
            ? field.querySelector("input:checked") || field.querySelector("input")
            : field.querySelector("[name]"));
      });
      if (first && moveFocus) general.unshift(t.fix_fields);
      f.formError.textContent = general.join(" ");
      if (first && moveFocus) first.focus();
      else if (moveFocus) revealFormError(f);
    }

    function headers() {
      const all = { "Content-Type": "application/json", Accept: "application/json" };
      if (context.token) all.Authorization = "Bearer " + context.token;
      const csrf = cookie("csrftoken");
      if (csrf) all["X-CSRFToken"] = csrf;
      return Object.assign(all, options.headers || {});
    }

    function report(f, message, isSubmit) {
      if (isSubmit) {
        f.formError.textContent = message;
        revealFormError(f);
      } else quiet(f, t.draft_not_saved);
    }

    /* POST one action; resolves to true when the server took it (never rejects). */
    async function send(f, action, body, isSubmit) {
      const mine = ++sent;
      let response;
      let data = null;
      try {
        response = await fetch(actionUrl(action), {
          method: "POST",
          headers: headers(),
          body: JSON.stringify(body),
          credentials: "same-origin",
        });
        data = await response.json().catch(() => null);
      } catch (error) {
        keep(f, body.values);
        report(f, t.network_error, isSubmit);
        return false;
      }
      const errors = data && data.errors;
      if (response.ok && data && !errors) {
        forget(f, body.values);
        f.last = JSON.stringify(body.values);
        f.restored.hidden = true;
        // A carried form's answer is its earlier session's state: this page's stays as it is.
        if (!f.session && mine > shown) {
          shown = mine;
          applyState(data);
        }
        return true;
      }
      if ((response.status === 400 || response.status === 409) && errors) {
        // The server keeps the answers of a refused submit as the draft (see the contract),
        // except for an earlier session it refused as a whole (gone, or nothing open there).
        const keptByServer = !f.session || !(response.status === 409 || "session" in errors);
        if (!keptByServer) keep(f, body.values);
        else if (isSubmit) forget(f, body.values);
        f.last = JSON.stringify(body.values);
        showErrors(f, errors, isSubmit);
        if (!isSubmit) quiet(f, "");
        return false;
      }
      keep(f, body.values);
      const message = response.status >= 500 ? t.server_error : t.refused_error;
      report(f, format(message, { status: String(response.status) }), isSubmit);
      return false;
    }

    function schedule(f) {
      clearTimeout(f.timer);
      f.timer = setTimeout(() => saveDraft(f), AUTOSAVE_DELAY);
    }

    function saveDraft(f) {
      clearTimeout(f.timer);
      if (f.busy || f.body.disabled) return;
      if (f.inflight) return schedule(f);
      const values = collect(f.form);
      if (JSON.stringify(values) === f.last) return;
      quiet(f, t.saving);
      // A date not yet readable stays out of the server's draft (the browser keeps it typed).
      const unread = unreadDates(f.form);
      const body = {
        part: f.part,
        values: Object.fromEntries(Object.entries(values).filter(([key]) => !unread.includes(key))),
      };
      if (f.session) body.session = f.session;
      f.inflight = send(f, "save_draft", body, false).then((ok) => {
        f.inflight = null;
        if (!ok) return;
        const time = new Date().toLocaleTimeString(context.lang || undefined, {
          hour: "2-digit",
          minute: "2-digit",
        });
        quiet(f, format(t.draft_saved_at, { time }));
      });
    }

    async function submit(f) {
      if (f.busy || f.body.disabled) return;
      f.busy = true;
      clearTimeout(f.timer);
      f.button.setAttribute("aria-disabled", "true");
      f.form.setAttribute("aria-busy", "true");
      try {
        if (f.inflight) await f.inflight; // let a draft already on its way land first
        const values = collect(f.form);
        clearErrors(f);
        quiet(f, "");
        const unread = unreadDates(f.form);
        if (unread.length) {
          showErrors(f, Object.fromEntries(unread.map((key) => [key, t.bad_date])), true);
          return;
        }
        const body = { values };
        if (f.session) body.session = f.session;
        const share = f.form.querySelector('[name="share_with_group"]');
        if (share) body.share_with_group = share.checked; // commit_experiment only
        const revised = isDone(context.state[f.part]);
        if (await send(f, SUBMIT[f.part], body, true)) {
          if (f.session) return carriedDone(f);
          const due = (context.state.commitment || {}).due_on;
          const message = format(t["done_" + f.part], { date: dateText(due) || "" });
          quiet(f, message);
          announce((message + " " + moveOn(f, revised)).trim());
        }
      } finally {
        f.busy = false;
        f.button.removeAttribute("aria-disabled");
        f.form.removeAttribute("aria-busy");
        if (JSON.stringify(collect(f.form)) !== f.last) schedule(f);
      }
    }

    /* An earlier session's return is in: say so, fold its questions away, and move on to
       the next thing to do (another earlier return, else this page's open part). */
    function carriedDone(f) {
      const message = f.form.dataset.doneMessage || t.done_return || "";
      f.status.dataset.status = "submitted";
      f.status.textContent = message;
      f.body.disabled = true;
      f.body.hidden = true;
      f.form.setAttribute("data-done", "");
      const item = f.form.closest("li");
      if (item) {
        // No due date left to meet: its line goes, and the heading once no line is left.
        item.setAttribute("data-reported", "");
        const line = item.querySelector('[data-role="carried-line"]');
        if (line) line.hidden = true;
        const list = item.closest('[data-role="carried"]');
        const heading = list && list.querySelector('[data-role="carried-heading"]');
        if (heading) heading.hidden = !list.querySelector("li:not([data-reported])");
      }
      const waiting = root.querySelector("form.koula-carried-form:not([data-done]) [name]");
      const open = forms.find((g) => g.fold && g.fold.getAttribute("aria-expanded") === "true");
      const next = waiting || (open && open.fold);
      if (next) next.focus();
      const name = !waiting && open && open.form.querySelector(".koula-fold-name").textContent;
      announce(name ? message + " " + format(t.next_step, { step: name }) : message);
    }

    function setUp(form) {
      const f = {
        form,
        part: form.dataset.part,
        session: form.dataset.session || null,
        body: form.querySelector(".koula-body"),
        button: form.querySelector("button[type=submit]"),
        fold: form.querySelector(".koula-fold"),
        status: form.querySelector('[data-role="status"]'),
        changes: form.querySelector('[data-role="changes"]'),
        formError: form.querySelector('[data-role="form-error"]'),
        autosave: form.querySelector('[data-role="autosave"]'),
        restored: form.querySelector('[data-role="restored"]'),
        busy: false,
        inflight: null,
        timer: null,
      };
      f.last = JSON.stringify(collect(form));
      let stored = null;
      try {
        stored = JSON.parse(sessionStorage.getItem(storageKey(f)) || "null");
      } catch (error) {
        stored = null;
      }
      /* A date field's date, written beside it in the page's language (fields.html). */
      const showDates = () =>
        form.querySelectorAll('[data-role="date-text"]').forEach((text) => {
          const input = text.parentNode.querySelector("input[name]");
          text.textContent = (input && dateText(isoDate(input.value))) || "";
        });
      if (stored && JSON.stringify(stored) !== f.last) {
        fillIn(form, stored);
        showDates();
        f.restored.textContent = t.restored;
        f.restored.hidden = false;
        fold(f.fold, true);
        schedule(f);
      }
      const edited = (event) => {
        const field = event.target.closest(".koula-field");
        if (field) clearFieldError(field);
        if (field && field.dataset.type === "date") showDates();
        keep(f, collect(form));
        schedule(f);
      };
      /* A question that takes focus under the sticky submit bar is brought above it (the
         browser does not scroll to a field already partly in view). */
      form.addEventListener("focusin", (event) => {
        const bar = f.button && f.button.parentNode.getBoundingClientRect();
        const target = event.target;
        const under = bar && target.getBoundingClientRect().bottom > bar.top;
        if (under && target.closest(".koula-field")) target.scrollIntoView({ block: "nearest" });
      });
      form.addEventListener("input", edited);
      form.addEventListener("change", edited);
      form.addEventListener("focusout", (event) => {
        // Save on leaving a question, but not when moving within one or onto the submit button.
        const next = event.relatedTarget;
        const field = event.target.closest(".koula-field");
        if (next && (next === f.button || (field && field.contains(next)))) return;
        saveDraft(f);
      });
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        submit(f);
      });
      return f;
    }

    root.querySelectorAll("form.koula-form").forEach((form) => {
      const f = setUp(form);
      if (!f.session) forms.push(f); // a carried form follows its own session's state
    });
    /* POST a one-click action; resolves to the new state, or throws an Error with a message. */
    async function post(action, body) {
      let response;
      let data = null;
      try {
        response = await fetch(actionUrl(action), {
          method: "POST", headers: headers(), credentials: "same-origin", body: JSON.stringify(body),
        });
        data = await response.json().catch(() => null);
      } catch (error) {
        throw new Error(t.network_error);
      }
      const errors = data && data.errors;
      if (!response.ok || !data || errors) {
        const message = errors && Object.values(errors)[0];
        throw new Error(message || format(t.server_error, { status: String(response.status) }));
      }
      return data;
    }
    const showError = (element, error) => {
      element.textContent = error ? error.message : "";
      element.hidden = !error;
    };

    const host = root.querySelector("[data-koula-host] button");
    if (host) {
      const hostError = root.querySelector('[data-role="host-error"]');
      host.addEventListener("click", async () => {
        const volunteer = host.getAttribute("aria-pressed") !== "true";
        showError(hostError, null);
        try {
          const data = await post("volunteer_host", { volunteer });
          host.setAttribute("aria-pressed", String(Boolean(data.host && data.host.volunteered)));
          announce(volunteer ? t.host_offered : t.host_withdrawn);
        } catch (error) {
          showError(hostError, error);
        }
      });
    }
    const community = root.querySelector("[data-koula-community]");
    if (community) setUpCommunity(community);

    /* The community's cards: share mine, search theirs, mark those I will use. */
    function setUpCommunity(section) {
      const find = (role) => section.querySelector('[data-role="' + role + '"]');
      const share = find("share");
      const error = find("community-error");
      const list = find("cards");
      const count = find("cards-count");
      const more = find("cards-more");
      const search = find("cards-search");
      let query = "";
      const showShare = (state) => {
        const submitted = (state.deliverable || {}).status === "submitted";
        share.setAttribute("aria-pressed", String(Boolean((state.community || {}).shared)));
        share.setAttribute("aria-disabled", String(!submitted));
        find("share-hint").hidden = submitted;
      };
      onState.push(showShare);
      share.addEventListener("click", async () => {
        if (share.getAttribute("aria-disabled") === "true") return;
        const shared = share.getAttribute("aria-pressed") !== "true";
        showError(error, null);
        try {
          applyState(await post("share_card", { shared }));
          announce(shared ? t.card_shared : t.card_unshared);
          load(0);
        } catch (failure) {
          showError(error, failure);
        }
      });
      const cardItem = (card) => {
        const item = document.createElement("li");
        item.className = "koula-card";
        const title = document.createElement("h3");
        title.textContent = card.title;
        const by = document.createElement("p");
        by.className = "koula-card-by";
        by.textContent = card.mine ? t.card_yours : format(t.card_by, { name: card.author });
        const answers = document.createElement("dl");
        card.fields.forEach((field) => {
          const term = document.createElement("dt");
          term.textContent = field.label;
          const value = document.createElement("dd");
          value.textContent = Array.isArray(field.value) ? field.value.join(" · ") : String(field.value);
          answers.append(term, value);
        });
        const reuses = document.createElement("p");
        reuses.className = "koula-card-reuses";
        reuses.textContent = format(t.card_reuses, { count: String(card.reuses) });
        item.append(title, by, answers, reuses);
        if (!card.mine) {
          const mark = document.createElement("button");
          mark.type = "button";
          mark.className = "koula-submit koula-reuse";
          mark.textContent = t.card_will_use;
          mark.setAttribute("aria-pressed", String(card.reused));
          mark.setAttribute("aria-describedby", (title.id = uid + "-card-" + card.id));
          mark.addEventListener("click", async () => {
            const reuse = mark.getAttribute("aria-pressed") !== "true";
            showError(error, null);
            try {
              applyState(await post("reuse_card", { card: card.id, reuse }));
              mark.setAttribute("aria-pressed", String(reuse));
              card.reuses += reuse ? 1 : -1;
              reuses.textContent = format(t.card_reuses, { count: String(card.reuses) });
              announce(reuse ? t.card_marked : t.card_unmarked);
            } catch (failure) {
              showError(error, failure);
            }
          });
          item.append(mark);
        }
        return item;
      };
      let latest = 0; // only the newest request's answer is shown: a slow earlier one arrives late
      async function load(offset) {
        showError(error, null);
        const asked = ++latest;
        let page;
        try {
          page = await post("shared_cards", { query, offset });
        } catch (failure) {
          if (asked === latest) showError(error, failure);
          return;
        }
        if (asked !== latest) return;
        if (!offset) list.textContent = "";
        page.cards.forEach((card) => list.append(cardItem(card)));
        const shown = list.children.length;
        count.textContent = page.matching
          ? format(t.cards_count, { shown: String(shown), matching: String(page.matching) })
          : page.shared ? t.cards_no_match : t.cards_none;
        more.hidden = page.next_offset == null;
        more.onclick = () => load(page.next_offset);
      }
      search.addEventListener("submit", (event) => {
        event.preventDefault();
        query = search.elements.query.value.trim();
        load(0);
      });
      showShare(context.state || {});
      load(0);
    }
    root.querySelectorAll("[data-koula-enable]").forEach((button) => {
      button.disabled = false;
    });
    root.koula = { root, state: () => context.state };
    root.setAttribute("data-koula-ready", "");
    return root.koula;
  }

  window.Koula = { mount };

  /* Open edX calls this with the block's element (a DOM node, or jQuery in older runtimes). */
  window.KoulaXBlock = function (runtime, element) {
    const node = element && element.jquery ? element[0] : element;
    const root = node.matches(".koula") ? node : node.querySelector(".koula");
    return mount(root, { actionUrl: (name) => runtime.handlerUrl(node, name) });
  };

  const autoMount = () => document.querySelectorAll(".koula[data-koula-auto]").forEach((root) => mount(root));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autoMount);
  else autoMount();
})();
