// Small helpers shared by the build, test and demo scripts.
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { gzipSync } from "node:zlib";

export const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Runs a command with inherited stdio; resolves to its exit code. */
export function run(cmd, args, { env = {}, cwd = root, capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: capture ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"],
    });
    let output = "";
    if (capture) {
      for (const stream of [child.stdout, child.stderr]) {
        stream.on("data", (chunk) => {
          output += chunk;
          process.stdout.write(chunk);
        });
      }
    }
    child.on("error", (error) => {
      output += String(error);
      resolve({ code: 127, output });
    });
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

/**
 * Starts the simulator binary on a free loopback port and waits for its `LISTENING <port>` line.
 * Returns { port, origin, stop }.
 */
export function startSim(binary, extraArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["--port", "0", ...extraArgs], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${binary} did not print LISTENING within 30 s`));
    }, 30_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${binary} exited with ${code} before listening`));
    });
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const match = /^LISTENING (\d+)$/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      const port = Number(match[1]);
      resolve({
        port,
        origin: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", done);
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

export const simBinary = `${root}/target/debug/sim`;

/** The files a browser downloads from a built package: the wasm, the JS glue, the entry, and the
 * decoders with their generated validators (every .js of the package but the Node entry). */
export function shippedFiles(dir) {
  const js = readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".js") && f !== "node.js")
    .sort();
  return ["infra_events_bg.wasm", ...js];
}

/** Raw and gzip -9 sizes of a built package's shipped files: { files: [{file, raw, gzip}], raw, gzip }. */
export function packageSize(dir) {
  const files = shippedFiles(dir).map((file) => {
    const bytes = readFileSync(`${dir}/${file}`);
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return {
    files,
    raw: files.reduce((sum, f) => sum + f.raw, 0),
    gzip: files.reduce((sum, f) => sum + f.gzip, 0),
  };
}
