// The cloudevents SDK as a decode candidate in the Chromium page. The SDK ships its browser build
// as a UMD script (bundles/cloudevents.js) rather than an ES module, so it is loaded the way a
// page without a bundler would load it, and this module gives it the decoder shape the benchmark
// expects. The Node run builds the same function from the package's main entry.
await new Promise((resolve, reject) => {
  const script = document.createElement("script");
  script.src = new URL("./cloudevents.js", import.meta.url).href;
  script.onload = resolve;
  script.onerror = () => reject(new Error("cloudevents.js did not load"));
  document.head.append(script);
});
const { CloudEvent } = globalThis.cloudevents;

// Strict mode (the default) is what validates the event against the spec, which is the point.
export const decodeCloudEvent = (text) => new CloudEvent(JSON.parse(text));
