// Keeps the dashboard current while data arrives: every few seconds it asks
// /dashboard/live whether anything changed (204: no), swaps the new part in
// when it did, and stops once nothing is syncing or importing.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.fetch || !window.DOMParser) return;
  var quiet = 2000, delay = quiet, longest = 30000;

  function swap(html) {
    var next = new DOMParser().parseFromString(html, "text/html").getElementById("live");
    if (!next) return;
    live.innerHTML = next.innerHTML;
    live.dataset.stamp = next.dataset.stamp;
    live.toggleAttribute("data-busy", next.hasAttribute("data-busy"));
  }

  function poll() {
    if (!live.hasAttribute("data-busy")) return;
    var url = live.dataset.liveUrl + "&seen=" + encodeURIComponent(live.dataset.stamp || "");
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (answer) {
        if (answer.status === 200) return answer.text().then(swap).then(function () { delay = quiet; });
        if (answer.status !== 204) delay = Math.min(delay * 2, longest);
      })
      .catch(function () { delay = Math.min(delay * 2, longest); })
      .then(function () { setTimeout(poll, delay); });
  }

  setTimeout(poll, delay);
})();
