// `npm start` serves plain JavaScript: the server and its sources bundled into one file, with the
// packages left as imports (decision 017). Running TypeScript through a loader in the serving
// process cost about 45 MB of resident memory; bundling takes well under a second.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
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
  await bundle(root, join(root, "src", "server.ts"), outfile);
}

/** Where the built command line is (`bin/tradewatch.js` runs it), and the sources it was built from. */
export const CLI_BUNDLE = "dist/tradewatch.mjs";
const CLI_INPUTS = "dist/tradewatch.inputs.json";

/**
 * Builds the command line into dist/tradewatch.mjs unless it is newer than every source it was
 * built from: through tsx, `tradewatch --help` took about 2 s, most of it compiling TypeScript
 * at each run; built, about 0.85 s.
 */
export async function buildCliIfStale(root = ROOT) {
  if (cliIsFresh(root)) return;
  // The sources are compared with when the build began: one edited while it ran is newer.
  const began = Date.now();
  const inputs = await bundle(root, join(root, "src", "cli", "tradewatch.ts"), join(root, CLI_BUNDLE));
  writeBeside(join(root, CLI_INPUTS), JSON.stringify({ began, inputs }));
}

function cliIsFresh(root) {
  try {
    statSync(join(root, CLI_BUNDLE));
    const { began, inputs } = JSON.parse(readFileSync(join(root, CLI_INPUTS), "utf8"));
    // A source edited (or checked out) since the build began is newer; one deleted throws: both rebuild.
    return inputs.every((input) => statSync(join(root, input)).mtimeMs < began);
  } catch {
    return false;
  }
}

/** Bundles one entry point (packages left as imports) and returns the project's files it read. */
async function bundle(root, entry, outfile) {
  const { outputFiles, metafile } = await build({
    entryPoints: [entry],
    outfile,
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
    metafile: true,
    write: false,
  });
  // Each file is written beside and renamed over the old one: esbuild rewrites in place, and a
  // server started meanwhile (another npm start, a test) loaded an empty or cut-short file.
  // The map first, so the code never points at a map older than itself.
  mkdirSync(dirname(outfile), { recursive: true });
  for (const file of outputFiles.toSorted((a, b) => Number(b.path.endsWith(".map")) - Number(a.path.endsWith(".map")))) {
    writeBeside(file.path, file.contents);
  }
  return Object.keys(metafile.inputs);
}

function writeBeside(path, contents) {
  const next = `${path}.${process.pid}.tmp`;
  writeFileSync(next, contents);
  renameSync(next, path);
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
