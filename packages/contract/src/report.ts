import type { Cleanup, InvariantResult, RunReport } from "./runner.js";

const MARK = { pass: "PASS", fail: "FAIL", drift: "DRIFT", skip: "SKIP", budget: "BUDGET" } as const;

export function progressLine(r: InvariantResult): string {
  const why = r.outcome === "skip" || r.outcome === "budget" ? ` (${r.reason})` : "";
  const runs = r.runsNote ? ` (${r.runsNote})` : "";
  return `${MARK[r.outcome].padEnd(6)} ${r.id.padEnd(3)} [${r.tier}] ${r.title} — ${r.runs} runs${runs}, ${r.requests} requests, ${r.ms} ms${why}`;
}

export function table(report: RunReport): string {
  // Why an invariant was not judged belongs next to its SKIP: "writes not allowed" is not a pass.
  const why = (r: InvariantResult) => (r.outcome === "skip" || r.outcome === "budget" ? (r.reason ?? "") : "");
  const rows = report.results.map((r) => [r.id, r.tier, String(r.runs), String(r.requests), MARK[r.outcome], why(r)]);
  const head = ["invariant", "tier", "runs", "requests", "result", "reason"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const footer = report.cleanup ? [cleanupLine(report.cleanup)] : [];
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line), ...footer].join("\n");
}

/** What became of the batches the run created: the table's footer and a line of the CLI. */
export function cleanupLine(c: Cleanup): string {
  const failed = c.failures.length ? ` (${c.failures.slice(0, 3).join("; ")}${c.failures.length > 3 ? "; …" : ""})` : "";
  return (
    `cleanup: ${c.created} batch${c.created === 1 ? "" : "es"} created by the run; ${c.cancelled} cancelled now, ` +
    `${c.cancelledByInvariants} cancelled by the invariants, ${c.alreadyFinal} already final, ${c.failed} failed to cancel${failed}` +
    (c.recovered ? `; ${c.recovered} more from unanswered creates found in the source directory and cancelled` : "") +
    ` (${c.requests} cleanup requests, outside the budgets)`
  );
}

/** One line on the tiers of a run: what failed, what drifted, and what `--strict` would do. */
export function verdict(report: RunReport): string {
  const count = (o: string) => report.results.filter((r) => r.outcome === o).length;
  const fails = count("fail");
  const drifts = count("drift");
  const parts = [`${fails} documented or strict failure${fails === 1 ? "" : "s"}`];
  if (!report.strict)
    parts.push(`${drifts} drift${drifts === 1 ? "" : "s"} from decided rules${drifts ? " (--strict fails on them)" : ""}`);
  return parts.join(", ");
}

/**
 * What a failure or a drift needs to be understood and replayed. `replay` is the command without
 * `--only/--seed/--path`, its credentials as a placeholder.
 */
export function failureDetails(r: InvariantResult, replay: string): string {
  const head =
    r.outcome === "drift"
      ? `≈ ${r.id} ${r.title}\n  drift from a decided rule (${r.rule}): this spec's choice, not the public page's; --strict fails on it`
      : `✖ ${r.id} ${r.title}\n  rule ${r.rule} (${r.tier})`;
  return [
    head,
    `  counterexample: ${r.counterexample}`,
    ...(r.reason ?? "").split("\n").map((l) => `  ${l}`),
    `  replay: ${replay} --only ${r.id} --seed ${r.seed} --path ${r.path}`,
  ].join("\n");
}

/** The report as JSON: every result with its rule and tier, for machines. */
export function jsonReport(report: RunReport, target: string): string {
  return `${JSON.stringify({ target, ...report }, null, 2)}\n`;
}

/**
 * Characters XML 1.0 cannot hold at all (controls, lone surrogates, U+FFFE/U+FFFF), written as
 * `\uXXXX` so that the report stays well-formed and the evidence readable.
 */
const XML_ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlText(s: string): string {
  return s
    .replace(XML_ILLEGAL, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

export function junit(report: RunReport, target: string): string {
  const esc = xmlText;
  const cases = report.results.map((r) => {
    const name = `${r.id} ${r.title}${r.outcome === "drift" ? " [DRIFT]" : ""}`;
    const open = `    <testcase classname="batches-contract.${r.tier}" name="${esc(name)}" time="${(r.ms / 1000).toFixed(3)}">`;
    const properties = `      <properties>\n        <property name="rule" value="${esc(r.rule)}"/>\n        <property name="tier" value="${r.tier}"/>\n      </properties>`;
    const evidence = esc(`counterexample: ${r.counterexample}\n${r.reason}\nseed: ${r.seed} path: ${r.path}`);
    const body =
      r.outcome === "fail"
        ? `\n      <failure message="${esc(r.reason?.split("\n")[0] ?? "violation")}">${evidence}</failure>`
        : r.outcome === "drift"
          ? `\n      <system-out>drift from a decided rule (${esc(r.rule)}): ${evidence}</system-out>`
          : r.outcome === "skip" || r.outcome === "budget"
            ? `\n      <skipped message="${esc(r.reason ?? "")}"/>`
            : "";
    return `${open}\n${properties}${body}\n    </testcase>`;
  });
  const failures = report.results.filter((r) => r.outcome === "fail").length;
  const skipped = report.results.filter((r) => r.outcome === "skip" || r.outcome === "budget").length;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="batches-contract ${esc(target)} (${report.profile}${report.strict ? ", strict" : ""})" tests="${report.results.length}" failures="${failures}" skipped="${skipped}" time="${(report.ms / 1000).toFixed(3)}">
${cases.join("\n")}
  </testsuite>
</testsuites>
`;
}
