/* Follow running exports: poll their status and show progress; reload once one finishes. */
(function () {
  "use strict";
  function follow(row) {
    var url = row.getAttribute("data-status-url");
    var bar = row.querySelector(".progress");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          row.querySelector(".job-status").textContent = job.label;
          bar.setAttribute("aria-valuenow", job.percent);
          bar.firstElementChild.style.width = job.percent + "%";
          row.querySelector(".job-count").textContent = job.completed + " / " + (job.total || "?");
          if (job.status === "done" || job.status === "failed") {
            window.location.reload();
          } else {
            window.setTimeout(tick, 1500);
          }
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    tick();
  }
  document.querySelectorAll('.export-job[data-active="1"]').forEach(follow);
})();
