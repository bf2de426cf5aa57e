import type { HistoryEntry } from "../domain/history.ts";

/** What a change does, in the desk's words, for every face that names one (desk, pages, calendar): "→ imposed", "terms change", "dates move". */
export function changeWording(entry: Pick<HistoryEntry, "change" | "to">): string {
  if (entry.change === "status") return `→ ${entry.to}`;
  return entry.change === "terms" ? "terms change" : "dates move";
}
