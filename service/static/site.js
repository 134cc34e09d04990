// trendfeed's pages: copy buttons for the feed URLs. An enhancement only: without this
// script the URLs are text to select and copy by hand, and the buttons stay hidden.
// Served from /static/ (the CSP allows no inline script).
(function () {
  "use strict";

  // A URL box is text, not a form field (so that it can wrap between the URL's pieces):
  // select its contents as a range.
  function selectAll(field) {
    var range = document.createRange();
    range.selectNodeContents(field);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copyText(text, field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http on another host name: the Clipboard API is off; copy the selection.
    return new Promise(function (resolve, reject) {
      if (!field) { reject(new Error("nothing to select")); return; }
      field.focus();
      selectAll(field);
      if (document.execCommand && document.execCommand("copy")) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function setUp() {
    var status = document.querySelector(".copy-status");
    function announce(text) { if (status) { status.textContent = text; } }

    document.querySelectorAll(".url-row .url").forEach(function (field) {
      field.addEventListener("focus", function () { selectAll(field); });
      field.addEventListener("click", function () {
        if (window.getSelection().isCollapsed) { selectAll(field); }
      });
    });

    document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      var row = button.closest(".url-row");
      var field = row ? row.querySelector(".url") : null;
      var timer = 0;
      button.hidden = false;
      button.addEventListener("click", function () {
        var url = button.getAttribute("data-copy");
        copyText(url, field).then(function () {
          button.textContent = "Copied";
          announce("Copied " + url);
          window.clearTimeout(timer);
          timer = window.setTimeout(function () { button.textContent = "Copy"; }, 2000);
        }, function () {
          if (field) { field.focus(); selectAll(field); }
          announce("Press Ctrl+C (or \u2318C) to copy the selected URL.");
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
}());
