// The minimal query page: POSTs the query to this page's own URL and shows the JSON answer.
// A file, not an inline script, so the page's Content-Security-Policy allows this server only.
(function () {
  "use strict";

  var form = document.getElementById("query-form");
  var query = document.getElementById("query");
  var variables = document.getElementById("variables");
  var result = document.getElementById("result");

  async function run() {
    var body = { query: query.value };
    if (variables.value.trim()) {
      try {
        body.variables = JSON.parse(variables.value);
      } catch (error) {
        result.textContent = "Variables are not valid JSON: " + error.message;
        return;
      }
    }
    result.textContent = "Running…";
    try {
      var response = await fetch(window.location.pathname, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json, application/json",
        },
        body: JSON.stringify(body),
      });
      var text = await response.text();
      try {
        text = JSON.stringify(JSON.parse(text), null, 2);
      } catch (error) {
        // Not JSON (a proxy's error page, say): show it as it came.
      }
      result.textContent = "HTTP " + response.status + "\n" + text;
    } catch (error) {
      result.textContent = "The request failed: " + error.message;
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
})();
