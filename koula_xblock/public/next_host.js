/* Staff save who hosts the next session (the form under the run-sheet). */
(function () {
  "use strict";
  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }
  document.querySelectorAll("form[data-koula-next-host]:not([data-bound])").forEach(function (form) {
    form.setAttribute("data-bound", "");
    var status = form.querySelector("[data-role=next-host-status]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(form.getAttribute("action"), {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": cookie("csrftoken")},
        body: JSON.stringify({next_host: form.elements.next_host.value})
      }).then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      }).then(function (result) {
        status.textContent = result.ok ? result.body.message : result.body.errors._;
      }).catch(function (error) { status.textContent = String(error); });
    });
  });
})();
