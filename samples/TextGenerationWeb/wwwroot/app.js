// Streams a generation from GET /api/generate/stream (server-sent events) into the page.
"use strict";
const $ = (id) => document.getElementById(id);
let source = null;

function stop() {
  if (source) source.close();
  source = null;
  $("generate").disabled = false;
  $("stop").disabled = true;
}

$("form").addEventListener("submit", (event) => {
  event.preventDefault();
  stop();
  $("output").textContent = $("prompt").value;
  $("error").textContent = "";
  $("model").textContent = "";
  const query = new URLSearchParams({
    prompt: $("prompt").value,
    maxLength: $("maxLength").value,
    temperature: $("temperature").value,
    seed: $("seed").value,
  });
  source = new EventSource("/api/generate/stream?" + query);
  $("generate").disabled = true;
  $("stop").disabled = false;
  source.onmessage = (e) => { $("output").textContent += JSON.parse(e.data); };
  source.addEventListener("done", (e) => {
    const model = JSON.parse(e.data);
    $("model").textContent = "model " + model.modelSha256.slice(0, 12) + " (generation " + model.modelGeneration + ")";
    stop();
  });
  // EventSource reports a rejected request (400) and a dropped connection the same way; say so and stop retrying.
  source.onerror = () => {
    if (source) $("error").textContent = "The request failed (check the limits) or the connection dropped.";
    stop();
  };
});
$("stop").addEventListener("click", stop);
