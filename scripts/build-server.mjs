// `npm start` serves plain JavaScript: the server and its sources bundled into one file, with the
// packages left as imports (decision 017). Running TypeScript through a loader in the serving
// process cost about 45 MB of resident memory; bundling takes well under a second.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Where the built server is, from the project's folder. */
export const SERVER_BUNDLE = "dist/server.mjs";
/** Node's flags for the server: `npm start` passes the same (a test holds package.json to them). */
export const SERVER_NODE_FLAGS = ["--max-semi-space-size=4", "--enable-source-maps"];

/** Bundles src/server.ts into dist/server.mjs (with its source map: stack traces name the TypeScript lines). */
export async function buildServer(root = ROOT, outfile = join(root, SERVER_BUNDLE)) {
  const { outputFiles } = await build({
    entryPoints: [join(root, "src", "server.ts")],
    outfile,
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
    write: false,
  });
  // Each file is written beside and renamed over the old one: esbuild rewrites in place, and a
  // server started meanwhile (another npm start, a test) loaded an empty or cut-short file.
  // The map first, so the code never points at a map older than itself.
  mkdirSync(dirname(outfile), { recursive: true });
  for (const file of outputFiles.toSorted((a, b) => Number(b.path.endsWith(".map")) - Number(a.path.endsWith(".map")))) {
    const next = `${file.path}.${process.pid}.tmp`;
    writeFileSync(next, file.contents);
    renameSync(next, file.path);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await buildServer();
  } catch (e) {
    // esbuild has printed each error with its file and line; its own stack would only bury them.
    process.stderr.write(`tradewatch: the server could not be built (${e.errors?.length ?? 1} error(s) above); nothing was started\n`);
    process.exit(1);
  }
}
