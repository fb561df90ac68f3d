/* Koula's Studio edit dialog: saves the settings and shows each problem next to its field. */
function KoulaStudio(runtime, element) {
  "use strict";
  var root = element.jquery ? element[0] : element;
  var form = root.querySelector(".koula-studio-form");
  var formError = root.querySelector(".koula-studio-error");

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  function clearErrors() {
    formError.hidden = true;
    root.querySelectorAll(".koula-studio-field-error").forEach(function (node) {
      node.hidden = true;
      node.textContent = "";
    });
    root.querySelectorAll("[aria-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
    });
  }

  function showErrors(errors) {
    var first = null;
    Object.keys(errors).forEach(function (name) {
      var node = root.querySelector("#koula-studio-" + name + "-error");
      var control = form.elements[name];
      if (!node || !control) {
        formError.textContent = errors[name];
        formError.hidden = false;
        return;
      }
      node.textContent = errors[name];
      node.hidden = false;
      control.setAttribute("aria-invalid", "true");
      first = first || control;
    });
    if (first) { first.focus(); }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var data = {};
    Array.prototype.forEach.call(form.elements, function (control) {
      if (control.name) { data[control.name] = control.value; }
    });
    if (runtime.notify) { runtime.notify("save", {state: "start"}); }
    fetch(runtime.handlerUrl(element, "studio_submit"), {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": cookie("csrftoken") || ""},
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (result) {
      if (result.ok) {
        if (runtime.notify) { runtime.notify("save", {state: "end"}); }
        return;
      }
      if (runtime.notify) { runtime.notify("error", {title: "Koula", message: ""}); }
      showErrors(result.body.errors || {_: result.body.error || "Error"});
    }).catch(function (error) {
      formError.textContent = String(error);
      formError.hidden = false;
    });
  });

  root.querySelector(".cancel-button").addEventListener("click", function () {
    if (runtime.notify) { runtime.notify("cancel", {}); }
  });
}
