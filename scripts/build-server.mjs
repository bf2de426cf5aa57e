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

/**
 * Bundles src/server.ts into dist/server.mjs (with its source map: stack traces name the
 * TypeScript lines). Each file is written beside its place and renamed into it, so a server
 * starting while another `npm start` builds never loads half a file.
 */
export async function buildServer(root = ROOT) {
  const { outputFiles } = await build({
    entryPoints: [join(root, "src", "server.ts")],
    outfile: join(root, SERVER_BUNDLE),
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
  mkdirSync(join(root, dirname(SERVER_BUNDLE)), { recursive: true });
  // The map first: a new bundle never names a map that is not there yet.
  for (const file of [...outputFiles].sort((a, b) => Number(b.path.endsWith(".map")) - Number(a.path.endsWith(".map")))) {
    const partial = `${file.path}.${process.pid}.partial`;
    writeFileSync(partial, file.contents);
    renameSync(partial, file.path);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await buildServer();
