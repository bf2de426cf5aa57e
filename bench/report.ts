import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Row {
  case: "a" | "b" | "k" | "c" | "d" | "e" | "f" | "h1" | "h2" | "h3";
  size: number;
  /** cpuUs: the server's CPU time (all its threads) per request answered in the measured run. */
  tracker: { rps: number; p50Ms: number; p99Ms: number; rssMb: number; errors: number; cpuUs?: number };
  baseline: { rps: number; p50Ms: number; p99Ms: number; cpuUs?: number } | null;
  ratio: number | null;
}

export interface Report {
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; sqlite: string; platform: string };
  startedAt: string;
  finishedAt: string;
  durationPerCaseS: number;
  startupMs: number;
  migrateSeedMs: number;
  floor: { size: number; case: "a"; queriesPerS: number; usPerQuery: number }[];
  generation: { size: number; ms: number; statusChanges: number }[];
  rows: Row[];
}

export const CASES: Record<Row["case"], string> = {
  a: "GET /api/deadlines?status=pending&limit=50",
  b: "same, asOf 30 days ago (history-based)",
  c: "GET /api/threats/{id} with links",
  d: "POST /api/threats/{id}/status imposed (+consequence, history)",
  e: "GET /api/threats?q=… (text search)",
  k: "pending, as known a month ago (knownAt 30 days back)",
  f: "GET /api/in-force?limit=50 (a page of measures in force, their pairs' totals, upcoming)",
  h1: "hostile: asOf=1946-01-01&status=triggered&limit=1",
  h2: "hostile: a deep cursor (all deadlines, from 2 years back)",
  h3: "hostile: GET /scenarios/{id} (the scenario page)",
};

function markdown(r: Report): string {
  const lines = [
    `Run ${r.startedAt} on ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, Node ${r.machine.node}, SQLite ${r.machine.sqlite}; autocannon, 10 connections, ${r.durationPerCaseS} s per case.`,
    "",
    `Start-up (npm start to first 200, seeded database): **${r.startupMs} ms**. Migrate + seed from empty (npm run db:migrate && npm run db:seed): **${r.migrateSeedMs} ms**.`,
    "",
    "| case | size | tracker req/s | p50 ms | p99 ms | peak RSS MB | errors | CPU µs/request | baseline req/s | baseline p50 | baseline p99 | baseline CPU µs/request | tracker/baseline |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...r.rows.map(
      (x) =>
        `| ${x.case}: ${CASES[x.case]} | ${x.size.toLocaleString("en")} | ${x.tracker.rps} | ${x.tracker.p50Ms} | ${x.tracker.p99Ms} | ${x.tracker.rssMb} | ${x.tracker.errors} | ${x.tracker.cpuUs ?? "—"} | ${x.baseline?.rps ?? "—"} | ${x.baseline?.p50Ms ?? "—"} | ${x.baseline?.p99Ms ?? "—"} | ${x.baseline?.cpuUs ?? "—"} | ${x.ratio ?? "—"} |`,
    ),
    "",
    "Floor (the bare SQL of case a, in-process, no HTTP):",
    "",
    ...r.floor.map((f) => `- ${f.size.toLocaleString("en")} deadlines: ${f.queriesPerS} queries/s (${f.usPerQuery} µs each)`),
    "",
    "Synthetic databases (fixed seed):",
    "",
    ...r.generation.map((g) => `- ${g.size.toLocaleString("en")} deadlines: built in ${g.ms} ms, ${g.statusChanges.toLocaleString("en")} history entries`),
  ];
  return `${lines.join("\n")}\n`;
}

/** p99 latency against database size, tracker (solid) and baseline (dashed), for cases a-c. */
function svg(r: Report): string {
  const W = 720;
  const H = 360;
  const pad = { l: 60, r: 170, t: 30, b: 50 };
  const sizes = [...new Set(r.rows.map((x) => x.size))].sort((a, b) => a - b);
  const series: { label: string; color: string; dash: boolean; points: [number, number][] }[] = [];
  const colors = { a: "#1f6feb", b: "#d97706", c: "#16a34a" } as const;
  for (const c of ["a", "b", "c"] as const) {
    const rows = r.rows.filter((x) => x.case === c).sort((x, y) => x.size - y.size);
    series.push({ label: `${c} tracker`, color: colors[c], dash: false, points: rows.map((x) => [x.size, x.tracker.p99Ms]) });
    series.push({ label: `${c} baseline`, color: colors[c], dash: true, points: rows.filter((x) => x.baseline).map((x) => [x.size, x.baseline!.p99Ms]) });
  }
  const maxY = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[1]))) * 1.15;
  const xOf = (size: number) => pad.l + (sizes.length === 1 ? (W - pad.l - pad.r) / 2 : (sizes.indexOf(size) / (sizes.length - 1)) * (W - pad.l - pad.r));
  const yOf = (ms: number) => H - pad.b - (ms / maxY) * (H - pad.t - pad.b);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${pad.l}" y="18" font-size="14">p99 latency (ms) against database size (deadlines)</text>`,
    `<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#333"/>`,
    `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="#333"/>`,
    ...sizes.map((s) => `<text x="${xOf(s)}" y="${H - pad.b + 18}" text-anchor="middle">${s.toLocaleString("en")}</text>`),
    ...[0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="${pad.l - 6}" y="${yOf(f * maxY) + 4}" text-anchor="end">${Math.round(f * maxY)}</text>`),
  ];
  series.forEach((s, i) => {
    if (!s.points.length) return;
    const d = s.points.map(([x, y], j) => `${j ? "L" : "M"}${xOf(x).toFixed(1)},${yOf(y).toFixed(1)}`).join(" ");
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ' stroke-dasharray="6 4"' : ""}/>`);
    for (const [x, y] of s.points) parts.push(`<circle cx="${xOf(x).toFixed(1)}" cy="${yOf(y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    const ly = pad.t + 10 + i * 18;
    parts.push(
      `<line x1="${W - pad.r + 15}" y1="${ly}" x2="${W - pad.r + 45}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dash ? ' stroke-dasharray="6 4"' : ""}/>`,
    );
    parts.push(`<text x="${W - pad.r + 52}" y="${ly + 4}">${s.label}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}

export function writeReport(dir: string, report: Report): void {
  writeFileSync(join(dir, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, "latest.md"), markdown(report));
  writeFileSync(join(dir, "p99.svg"), svg(report));
}
