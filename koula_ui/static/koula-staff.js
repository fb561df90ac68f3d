/*
 * Koula staff pages: runs the phase timers of the host's run-sheet (koula_ui/runsheet.py).
 * The impact report needs no script, except in the LTI staff view, whose report links open
 * with the page's own token only (bindReportAccess below).
 *
 *   KoulaStaff.mount(root)                  wires one .koula-staff root (idempotent)
 *   window.KoulaStaffXBlock(runtime, el)    the Open edX initializer
 *   .koula-staff[data-koula-auto]           mounted on DOMContentLoaded (LTI page)
 *   [data-koula-report-access]              the LTI staff view's report links (on load)
 *
 * Time comes from Date.now() timestamps, never from counting ticks, so a tab left in the
 * background (where browsers slow timers down) shows the right time when it comes back,
 * and a reload finds the session where it was (the timers live in localStorage, keyed by
 * activity and phases). Screen readers hear phase changes and each overrun once, through
 * one polite live region; the clocks themselves (role="timer") stay silent.
 */
(() => {
  "use strict";

  const TICK = 250;
  const RESET_WINDOW = 5000;

  const format = (template, values) =>
    String(template || "").replace(/\{(\w+)\}/g, (match, name) => (name in values ? values[name] : match));

  /* Whole seconds as mm:ss, rounding up so a 15-minute phase shows 15:00 when it starts. */
  const mmss = (ms) => {
    const seconds = Math.ceil(Math.max(ms, 0) / 1000);
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(Math.floor(seconds / 60))}:${pad(seconds % 60)}`;
  };

  const load = (key) => {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  };

  const save = (key, value) => {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (error) {
      /* private mode or full storage: the timers still run, they just do not survive a reload */
    }
  };

  const mount = (root) => {
    if (!root || root.koulaStaff) return root ? root.koulaStaff : undefined;
    const source = root.querySelector(".koula-staff-context");
    const items = Array.from(root.querySelectorAll(".koula-staff-phase"));
    if (!source || !items.length) return undefined;
    const context = JSON.parse(source.textContent);
    const t = context.i18n;
    const storeKey = `koula-staff:${context.key}`;
    const phases = context.phases.map((phase, index) => ({ ...phase, ms: phase.minutes * 60000, el: items[index] }));
    const total = phases.reduce((sum, phase) => sum + phase.ms, 0);
    const live = root.querySelector('[data-role="live"]');
    const end = root.querySelector('[data-role="end"]');
    const resetButton = root.querySelector('[data-action="reset"]');
    const fresh = () => ({
      current: -1,
      started: null,
      planned: null,
      ended: null,
      phases: phases.map(() => ({ spent: 0, since: null, done: false, over: false })),
    });
    const stored = load(storeKey);
    let state = stored && stored.phases && stored.phases.length === phases.length ? stored : fresh();
    let ticker = null;
    let resetTimer = null;

    const hhmm = (time) =>
      new Date(time).toLocaleTimeString(context.lang, { hour: "2-digit", minute: "2-digit" });
    const spent = (index, now) => {
      const p = state.phases[index];
      return p.spent + (p.since === null ? 0 : now - p.since);
    };
    const announce = (message) => {
      live.textContent = "";
      window.setTimeout(() => {
        live.textContent = message;
      }, 50);
    };
    const stop = (index, now) => {
      const p = state.phases[index];
      if (p.since !== null) {
        p.spent += now - p.since;
        p.since = null;
      }
    };

    const start = (index, now) => {
      if (state.current >= 0 && state.current !== index && state.current < phases.length) {
        stop(state.current, now);
        state.phases[state.current].done = true;
      }
      const changed = state.current !== index;
      const p = state.phases[index];
      state.current = index;
      state.ended = null;
      p.done = false;
      if (p.since === null) p.since = now;
      if (state.started === null) {
        state.started = now;
        state.planned = now + total;
      }
      if (changed) announce(format(t.now, { phase: phases[index].title, minutes: phases[index].minutes }));
    };

    const act = (action, index) => {
      const now = Date.now();
      const p = state.phases[index];
      let focus = null;
      if (action === "start") {
        start(index, now);
        focus = [index, "pause"];
      } else if (action === "pause") {
        if (p.since !== null) stop(index, now);
        else start(index, now);
      } else if (action === "next") {
        stop(index, now);
        p.done = true;
        if (index + 1 < phases.length) {
          start(index + 1, now);
          focus = [index + 1, "pause"];
        } else {
          state.current = phases.length;
          state.ended = now;
          announce(t.finished);
          focus = [index, "start"];
        }
      }
      save(storeKey, state);
      render();
      if (focus) {
        phases[focus[0]].el.querySelector(`[data-action="${focus[1]}"]`).focus();
        if (focus[0] !== index) {
          const motion = window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";
          phases[focus[0]].el.scrollIntoView({ behavior: motion, block: "nearest" });
        }
      }
    };

    const reset = () => {
      if (!resetTimer) {
        resetButton.dataset.label = resetButton.textContent;
        resetButton.textContent = t.reset_confirm;
        resetTimer = window.setTimeout(disarm, RESET_WINDOW);
        return;
      }
      disarm();
      state = fresh();
      save(storeKey, state);
      announce(t.reset_done);
      render();
    };
    const disarm = () => {
      window.clearTimeout(resetTimer);
      resetTimer = null;
      resetButton.textContent = resetButton.dataset.label;
    };

    const renderPhase = (phase, index, now) => {
      const p = state.phases[index];
      const left = phase.ms - spent(index, now);
      const running = p.since !== null;
      const current = index === state.current;
      const word = p.done ? "done" : running ? "running" : current ? "paused" : "idle";
      if (running && left < 0 && !p.over) {
        p.over = true;
        save(storeKey, state);
        announce(format(t.overrun, { phase: phase.title }));
      }
      const el = phase.el;
      el.dataset.state = word;
      el.dataset.over = left < 0 ? "true" : "false";
      if (current) el.setAttribute("aria-current", "step");
      else el.removeAttribute("aria-current");
      el.querySelector('[data-role="clock"]').textContent =
        left < 0 ? format(t.over, { time: mmss(-left) }) : format(t.left, { time: mmss(left) });
      el.querySelector('[data-role="state"]').textContent = t[word];
      el.querySelector('[data-role="meter"]').style.width = `${Math.min(1 - left / phase.ms, 1) * 100}%`;
      el.querySelector('[data-action="start"]').disabled = running;
      const pause = el.querySelector('[data-action="pause"]');
      pause.disabled = !current || p.done;
      pause.setAttribute("aria-pressed", current && !p.done && !running ? "true" : "false");
      el.querySelector('[data-action="next"]').disabled = !current || p.done;
      return running;
    };

    const renderEnd = (now) => {
      if (!end || state.started === null) return;
      if (state.ended !== null) {
        end.textContent = format(t.ended, { time: hhmm(state.ended), planned: hhmm(state.planned) });
        return;
      }
      const remaining = phases.reduce(
        (sum, phase, index) => sum + (state.phases[index].done ? 0 : Math.max(phase.ms - spent(index, now), 0)),
        0
      );
      end.textContent = `${format(t.planned, { time: hhmm(state.planned) })} ${format(t.expected, {
        time: hhmm(now + remaining),
      })}`;
    };

    const render = () => {
      const now = Date.now();
      const running = phases.map((phase, index) => renderPhase(phase, index, now)).some(Boolean);
      renderEnd(now);
      if (running && ticker === null) ticker = window.setInterval(render, TICK);
      if (!running && ticker !== null) {
        window.clearInterval(ticker);
        ticker = null;
      }
    };

    root.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button || !root.contains(button)) return;
      if (button.dataset.action === "reset") return reset();
      const item = button.closest(".koula-staff-phase");
      if (item) act(button.dataset.action, Number(item.dataset.index));
    });
    document.addEventListener("visibilitychange", () => document.hidden || render());
    root.querySelectorAll("[data-koula-enable]").forEach((button) => {
      button.disabled = false;
    });
    render();
    root.koulaStaff = { render, state: () => state };
    return root.koulaStaff;
  };

  /* The hand-over form (koula_ui/templates/handover.html): JSON to the adapter, answer shown. */
  const bindHandover = (form) => {
    if (form.hasAttribute("data-bound")) return;
    form.setAttribute("data-bound", "");
    const status = form.querySelector("[data-role=next-host-status]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const headers = { "Content-Type": "application/json", Accept: "application/json" };
      const csrf = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/);
      if (csrf) headers["X-CSRFToken"] = decodeURIComponent(csrf[1]);
      if (form.dataset.token) headers.Authorization = "Bearer " + form.dataset.token;
      try {
        const response = await fetch(form.getAttribute("action"), {
          method: "POST", credentials: "same-origin", headers,
          body: JSON.stringify({ next_host: form.elements.next_host.value }),
        });
        const body = await response.json().catch(() => ({}));
        const errors = body.errors || {};
        status.textContent = response.ok ? body.message : errors.next_host || errors._ || String(response.status);
      } catch (error) {
        status.textContent = String(error.message || error);
      }
    });
  };
  const bindHandovers = () => document.querySelectorAll("form[data-koula-next-host]").forEach(bindHandover);

  /*
   * The LTI staff view's report links (lti/views/report.py, docs/lti.md "Report and export
   * links"): each request carries this page's bearer token, so a copied link opens nothing.
   * The CSV and a prepared export download through a single-use ticket posted in a form: the
   * browser writes the file as it arrives (no copy of 100,000 rows in memory). A learner's
   * answers are fetched into the report. "New window" posts a ticket to a window of the
   * tool's own, where a first-party cookie opens the links for a few minutes.
   */
  const bindReportAccess = (box) => {
    if (box.hasAttribute("data-bound")) return;
    box.setAttribute("data-bound", "");
    const access = JSON.parse(box.querySelector("[data-role=report-access]").textContent);
    const t = access.i18n;
    const status = box.querySelector("[data-role=report-status]");
    const bar = box.querySelector("[data-role=report-progress]");
    const ready = box.querySelector("[data-role=report-download]");
    const report = document.querySelector(".koula-report");
    let prepared = null;
    let preparing = false;

    const say = (message) => {
      if (status.textContent !== message) status.textContent = message;
    };
    const problem = (error) => {
      if (error.refused) return t.refused;
      return error.status ? format(t.error, { status: error.status }) : t.network;
    };
    const call = async (url, options = {}) => {
      const headers = { ...(options.headers || {}), Authorization: "Bearer " + access.token };
      const response = await fetch(url, { ...options, headers, credentials: "omit" });
      if (!response.ok) {
        const error = new Error(String(response.status));
        error.status = response.status;
        error.refused = response.status === 401 || response.status === 403;
        throw error;
      }
      return response;
    };
    const ticket = async () => (await (await call(access.tickets, { method: "POST" })).json()).ticket;
    const post = (url, value, target) => {
      const form = document.createElement("form");
      form.method = "post";
      form.action = url;
      form.hidden = true;
      if (target) form.target = target;
      const field = document.createElement("input");
      field.type = "hidden";
      field.name = "ticket";
      field.value = value;
      form.append(field);
      document.body.append(form);
      form.submit();
      form.remove();
    };
    const download = async (url) => {
      try {
        post(url, await ticket());
      } catch (error) {
        say(problem(error));
      }
    };

    const poll = async (url) => {
      const state = await (await call(`${url}?format=json`)).json();
      bar.max = state.learners || 1;
      bar.value = state.rows_written;
      if (state.download) {
        prepared = state.download;
        bar.hidden = true;
        ready.hidden = false;
        preparing = false;
        return say(format(t.done, { rows: state.rows_written }));
      }
      if (state.status === "failed") {
        bar.hidden = true;
        preparing = false;
        return say(t.failed);
      }
      bar.hidden = false;
      say(format(t[state.status] || t.queued, { rows: state.rows_written, total: state.learners }));
      window.setTimeout(() => poll(url).catch(stopped), 1500);
    };
    const stopped = (error) => {
      preparing = false;
      bar.hidden = true;
      say(problem(error));
    };
    const prepare = async () => {
      if (preparing) return;
      preparing = true;
      ready.hidden = true;
      say(t.queued);
      try {
        const options = { method: "POST", headers: { Accept: "application/json" } };
        await poll((await (await call(access.exports, options)).json()).status);
      } catch (error) {
        stopped(error);
      }
    };

    const openWindow = async (url = access.window) => {
      /* Opened now, while the click still counts as the person's, then sent the ticket. */
      const name = `koula-report-${Date.now()}`;
      const opened = window.open("", name);
      if (!opened) return say(t.blocked);
      try {
        post(url, await ticket(), name);
      } catch (error) {
        opened.close();
        say(problem(error));
      }
    };

    const showLearner = async (link) => {
      let section;
      try {
        const response = await call(`${link.href}${link.href.includes("?") ? "&" : "?"}fragment=1`);
        const holder = document.createElement("template");
        holder.innerHTML = await response.text();
        section = holder.content.querySelector("[data-section=detail]");
      } catch (error) {
        section = document.createElement("section");
        section.className = "koula-staff-section";
        section.dataset.section = "detail";
        const note = document.createElement("p");
        note.className = "lti-problem";
        note.setAttribute("role", "alert");
        note.textContent = problem(error);
        section.append(note);
      }
      const old = report.querySelector("[data-section=detail]");
      if (old) old.replaceWith(section);
      else report.querySelector("[data-section=learners]").after(section);
      const row = link.closest("tr");
      report.querySelectorAll("tr[data-learner]").forEach((other) => {
        if (other === row) other.setAttribute("aria-current", "true");
        else other.removeAttribute("aria-current");
      });
      const heading = section.querySelector("h3");
      if (heading) heading.focus();
    };

    box.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-report-action]");
      if (!button || !box.contains(button)) return;
      const action = button.dataset.reportAction;
      if (action === "csv") download(access.csv);
      else if (action === "download" && prepared) download(prepared);
      else if (action === "export") prepare();
      else if (action === "window") openWindow();
    });
    /* The course's series (lti/templates/staff.html): its report and CSV open the same way. */
    const series = document.querySelector("[data-koula-series]");
    if (series && access.series_csv) {
      series.addEventListener("click", (event) => {
        const button = event.target.closest("button[data-series-action]");
        if (!button) return;
        if (button.dataset.seriesAction === "csv") download(access.series_csv);
        else if (button.dataset.seriesAction === "window") openWindow(access.series_window);
      });
    }
    if (report) {
      report.addEventListener("click", (event) => {
        const link = event.target.closest("a[href]");
        if (!link || !report.contains(link)) return;
        if (link.dataset.role === "csv") {
          event.preventDefault();
          download(access.csv);
        } else if (link.href.startsWith(access.learners)) {
          event.preventDefault();
          showLearner(link);
        }
      });
    }
  };
  const bindReportAccesses = () => document.querySelectorAll("[data-koula-report-access]").forEach(bindReportAccess);

  window.KoulaStaff = { mount, bindHandovers };

  /* The Open edX initializer: the staff view's fragment names it in initialize_js. */
  window.KoulaStaffXBlock = function (runtime, element) {
    const el = element && element.jquery ? element[0] : element;
    const root = el && (el.matches(".koula-staff") ? el : el.querySelector(".koula-staff"));
    bindHandovers();
    return mount(root);
  };

  const autoMount = () => {
    document.querySelectorAll(".koula-staff[data-koula-auto]").forEach((root) => mount(root));
    bindHandovers();
    bindReportAccesses();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autoMount);
  else autoMount();
})();
