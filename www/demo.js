// Demo page script. Event data only ever reaches the page through textContent.
import { version } from "/pkg/index.js";

const sdkStatus = document.getElementById("sdk-status");
sdkStatus.textContent = `infra-events ${version()} loaded`;
sdkStatus.className = "ok";

const simStatus = document.getElementById("sim-status");
const simFrame = document.getElementById("sim-frame");
const scheme = location.protocol === "https:" ? "wss:" : "ws:";
const socket = new WebSocket(`${scheme}//${location.host}/_test/hello`);
socket.addEventListener("message", (event) => {
  simStatus.textContent = "connected to the simulator";
  simStatus.className = "ok";
  simFrame.textContent = String(event.data);
  socket.close();
}, { once: true });
socket.addEventListener("error", () => {
  simStatus.textContent = "the simulator is not reachable";
  simStatus.className = "bad";
});
