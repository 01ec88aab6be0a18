// Shows the "figures" events of the analytics channel in the page's <dl id="figures">.
(() => {
  const figures = document.getElementById("figures");
  const state = document.getElementById("analytics-state");
  const time = document.getElementById("figures-time");
  const setState = (value) => { state.dataset.state = value; state.textContent = value; };

  const source = new EventSource(figures.dataset.streamUrl);
  source.onopen = () => setState("open");
  source.onerror = () => setState(source.readyState === EventSource.CLOSED ? "closed" : "connecting");
  source.addEventListener("figures", (event) => {
    const values = JSON.parse(event.data);
    for (const cell of figures.querySelectorAll("[data-figure]")) {
      const value = values[cell.dataset.figure];
      if (value !== undefined) {
        cell.textContent = cell.dataset.unit ? `${value} ${cell.dataset.unit}` : String(value);
      }
    }
    time.textContent = new Date(values.time).toLocaleTimeString();
  });
})();
