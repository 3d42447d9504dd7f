// Bundled by Vite in the browser test: the package must load its .wasm through the bundler.
import { version } from "infra-events";

const status = document.getElementById("status");
if (status) status.textContent = `bundled infra-events ${version()}`;
