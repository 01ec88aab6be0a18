// The sample site's page behaviour. The live parts are <sse-stream> elements (SseArea's own
// script, which also applies the server-rendered statuses); this module keeps lists to their limit, shows figures
// and posts forms in the background, so the posting window keeps its stream open and sees its own event.

// <sse-stream actions data-status-list="#list" data-status-source="/social/recent">: the element applies the
// server-rendered statuses itself (stream actions). This module only keeps the list to its data-limit, and draws it
// again from the server's HTML when the stream says events may have been missed (a deploy, a restart, Redis away).
for (const stream of document.querySelectorAll("sse-stream[data-status-list]")) {
  const list = document.querySelector(stream.dataset.statusList);
  const limit = Number(list.dataset.limit || 50);
  new MutationObserver(() => {
    while (list.children.length > limit) {
      list.lastElementChild.remove();
    }
  }).observe(list, { childList: true });
  stream.addEventListener("sse-missed", async () => {
    const source = stream.dataset.statusSource;
    if (!source) {
      return;
    }
    const response = await fetch(source, { headers: { Accept: "text/html" } });
    if (response.ok) {
      list.innerHTML = await response.text(); // this site's own rendering of its statuses
      list.dataset.reloaded = String(Number(list.dataset.reloaded || 0) + 1);
    }
  });
}

// <sse-stream events="figures" data-figures="#figures">: each figures event's detail.data is an
// object of numbers; every <dd data-figure="name"> (and data-key="k" for values[name][k])
// inside the target shows its value.
for (const stream of document.querySelectorAll("sse-stream[data-figures]")) {
  const figures = document.querySelector(stream.dataset.figures);
  stream.addEventListener("figures", (event) => {
    const values = event.detail.data;
    for (const cell of figures.querySelectorAll("[data-figure]")) {
      const figure = values[cell.dataset.figure];
      const value = cell.dataset.key === undefined ? figure : figure?.[cell.dataset.key];
      if (value !== undefined && value !== null) {
        cell.textContent = cell.dataset.unit ? `${value} ${cell.dataset.unit}` : String(value);
      }
    }
    for (const time of figures.parentElement.querySelectorAll("[data-figure-time]")) {
      time.textContent = new Date(values.time).toLocaleTimeString();
    }
  });
}

// <sse-stream data-refused="#note">: when the stream is refused, the note says why (sign in, for a protected channel).
for (const stream of document.querySelectorAll("sse-stream[data-refused]")) {
  const note = document.querySelector(stream.dataset.refused);
  stream.addEventListener("sse-error", (event) => {
    const { status, reason, state } = event.detail;
    if (state === "refused") {
      note.textContent = status === 401 || status === 403 ? "Sign in as an admin to see this feed." : reason;
    }
  });
}

// <form data-background data-status="#status">: posted with fetch; the answer goes to #status.
for (const form of document.querySelectorAll("form[data-background]")) {
  const status = document.querySelector(form.dataset.status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
      });
      const body = await response.json();
      status.classList.toggle("error", !response.ok);
      if (response.ok) {
        status.textContent = `Sent to '${body.channel}': ${body.receivers} receiver(s).`;
        form.querySelector("textarea").value = "";
      } else {
        const errors = Object.values(body.errors || {}).flat().join(" ");
        status.textContent = errors || body.title;
      }
    } catch {
      status.classList.add("error");
      status.textContent = "Could not reach the server.";
    }
  });
}

// "send a greeting" calls /hello without leaving the page.
for (const hello of document.querySelectorAll("[data-send-hello]")) {
  hello.addEventListener("click", (event) => {
    event.preventDefault();
    fetch(hello.getAttribute("href"));
  });
}
