/* Koula inside an LMS frame: asks the platform to fit the frame to the page.
   lti.frameResize is the message Canvas, Brightspace and Sakai honour (Moodle does with its
   message-handler plugin); a platform that ignores it keeps its fixed frame, where the
   pages still work (they scroll inside it). The height is not secret: "*" as the target. */
(function () {
  "use strict";
  if (window.parent === window || typeof ResizeObserver !== "function") return;
  var root = document.documentElement;
  var sent = 0;
  var queued = false;
  function send() {
    queued = false;
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (!height || height === sent) return;
    sent = height;
    try {
      window.parent.postMessage(JSON.stringify({subject: "lti.frameResize", height: height}), "*");
    } catch (e) { /* a platform page that forbids messages: the frame stays as it is */ }
  }
  new ResizeObserver(function () {
    if (!queued) { queued = true; window.requestAnimationFrame(send); }
  }).observe(root);
})();
