// The home page's live feed: a plain EventSource on the stream URL the view rendered.
// Every event, whatever its type, becomes one line of text (textContent, never HTML).
(function () {
  "use strict";

  var feed = document.getElementById("feed");
  var state = document.getElementById("feed-state");
  if (!feed || !window.EventSource) {
    return;
  }

  function setState(value) {
    state.textContent = value;
    state.setAttribute("data-state", value);
  }

  function show(event) {
    var empty = feed.querySelector(".empty");
    if (empty) {
      empty.remove();
    }

    var item = document.createElement("li");
    var type = document.createElement("span");
    type.className = "type";
    type.textContent = event.type;
    var data = document.createElement("span");
    data.className = "data";
    data.textContent = event.data;
    var time = document.createElement("time");
    time.textContent = new Date().toLocaleTimeString();
    item.append(type, data, time);
    feed.prepend(item);
    while (feed.children.length > 50) {
      feed.lastElementChild.remove();
    }
  }

  var source = new EventSource(feed.getAttribute("data-stream-url"));
  source.onopen = function () { setState("open"); };
  source.onerror = function () {
    setState(source.readyState === EventSource.CLOSED ? "closed" : "connecting");
  };
  // Untyped events arrive as "message"; typed ones only reach listeners of their type, so the
  // page lists the types this demo publishes (data-event-types).
  ["message"].concat((feed.getAttribute("data-event-types") || "").split(",")).forEach(function (type) {
    if (type) {
      source.addEventListener(type, show);
    }
  });

  // The publish form posts in the background, so this page (and its feed) stays open.
  var form = document.querySelector("form.publish");
  var status = document.getElementById("publish-status");
  if (form && window.fetch && window.FormData) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          status.classList.toggle("error", !result.ok);
          if (result.ok) {
            status.textContent = "Sent to '" + result.body.channel + "': " + result.body.receivers + " receiver(s).";
            form.querySelector("textarea").value = "";
          } else {
            var errors = result.body.errors || {};
            status.textContent = Object.keys(errors).map(function (k) { return errors[k].join(" "); }).join(" ") || result.body.title;
          }
        })
        .catch(function () {
          status.classList.add("error");
          status.textContent = "Could not reach the server.";
        });
    });
  }

  // "send a greeting" calls /hello without leaving the page.
  var hello = document.querySelector("[data-send-hello]");
  if (hello) {
    hello.addEventListener("click", function (e) {
      e.preventDefault();
      fetch(hello.getAttribute("href"));
    });
  }
})();
