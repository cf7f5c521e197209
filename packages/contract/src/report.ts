import type { InvariantResult, RunReport } from "./runner.js";

const MARK = { pass: "PASS", fail: "FAIL", skip: "SKIP", budget: "BUDGET" } as const;

export function progressLine(r: InvariantResult): string {
  const extra = r.outcome === "skip" || r.outcome === "budget" ? ` (${r.reason})` : "";
  return `${MARK[r.outcome].padEnd(6)} ${r.id.padEnd(3)} ${r.title} — ${r.runs} runs, ${r.requests} requests, ${r.ms} ms${extra}`;
}

export function table(report: RunReport): string {
  const rows = report.results.map((r) => [r.id, String(r.runs), String(r.requests), MARK[r.outcome]]);
  const head = ["invariant", "runs", "requests", "result"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** What a failure needs to be understood and replayed. */
export function failureDetails(r: InvariantResult, replay: string): string {
  return [
    `✖ ${r.id} ${r.title}`,
    `  counterexample: ${r.counterexample}`,
    ...(r.reason ?? "").split("\n").map((l) => `  ${l}`),
    `  replay: ${replay} --only ${r.id} --seed ${r.seed} --path ${r.path}`,
  ].join("\n");
}

export function junit(report: RunReport, target: string): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const cases = report.results.map((r) => {
    const open = `    <testcase classname="batches-contract" name="${esc(`${r.id} ${r.title}`)}" time="${(r.ms / 1000).toFixed(3)}">`;
    if (r.outcome === "fail") {
      return `${open}\n      <failure message="${esc(r.reason?.split("\n")[0] ?? "violation")}">${esc(
        `counterexample: ${r.counterexample}\n${r.reason}\nseed: ${r.seed} path: ${r.path}`,
      )}</failure>\n    </testcase>`;
    }
    if (r.outcome === "skip" || r.outcome === "budget")
      return `${open}\n      <skipped message="${esc(r.reason ?? "")}"/>\n    </testcase>`;
    return `${open}</testcase>`;
  });
  const failures = report.results.filter((r) => r.outcome === "fail").length;
  const skipped = report.results.filter((r) => r.outcome === "skip" || r.outcome === "budget").length;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="batches-contract ${esc(target)} (${report.profile})" tests="${report.results.length}" failures="${failures}" skipped="${skipped}" time="${(report.ms / 1000).toFixed(3)}">
${cases.join("\n")}
  </testsuite>
</testsuites>
`;
}
