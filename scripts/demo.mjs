// Starts the simulator serving the demo page and the built package, and prints the URL to open.
import { run, root, simBinary } from "./lib.mjs";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const { code } = await run("cargo", ["build", "--locked", "-p", "sim"]);
if (code !== 0) process.exit(code);

const port = process.env.PORT ?? "8787";
const sim = spawn(simBinary, ["--port", port], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
createInterface({ input: sim.stdout }).on("line", (line) => {
  const match = /^LISTENING (\d+)$/.exec(line);
  if (match) {
    console.log(`\ninfra-events demo: open http://127.0.0.1:${match[1]}/  (Ctrl-C stops it; PORT=N picks the port)\n`);
  } else {
    console.log(line);
  }
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => sim.kill("SIGTERM"));
sim.on("exit", (exitCode) => process.exit(exitCode ?? 0));
