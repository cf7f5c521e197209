// Side-by-side timing: contenders run in interleaved rounds (order rotated each round), so that a
// noisy neighbour slows all of them alike; we report medians and ratios, never lone absolutes.

import { stopAllProcesses } from "./process.mjs";

/** @param {Record<string, () => Promise<unknown>>} contenders one operation each */
export async function compareRates(contenders, { rounds = 15, opsPerRound = 2000, warmup = 2000 } = {}) {
  const names = Object.keys(contenders);
  for (const name of names) for (let i = 0; i < warmup; i++) await contenders[name]();
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]);
    for (const name of order) {
      const op = contenders[name];
      const start = process.hrtime.bigint();
      for (let i = 0; i < opsPerRound; i++) await op();
      const ns = Number(process.hrtime.bigint() - start);
      samples[name].push((opsPerRound * 1e9) / ns);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}

/** @param {number[]} values */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Prints rows of objects as an aligned table.
 * @param {string} title
 * @param {Record<string, unknown>[]} rows
 */
export function printTable(title, rows) {
  const cols = Object.keys(rows[0] ?? {});
  const cells = rows.map((r) => cols.map((c) => String(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (vals) => `| ${vals.map((v, i) => v.padEnd(widths[i])).join(" | ")} |`;
  console.log(`\n${title}\n`);
  console.log(line(cols));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of cells) console.log(line(row));
}

/** @param {number} n @param {number} [digits] */
export const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** @param {boolean} ok */
export const verdict = (ok) => (ok ? "PASS" : "FAIL");
/** A ratio, two decimals: `1.23×`. @param {number} x */
export const times = (x) => `${fmt(x, 2)}×`;
/** Bytes as whole MB (MiB), or "-" when unknown. @param {number | undefined} bytes */
export const mb = (bytes) => (bytes === undefined ? "-" : `${fmt(bytes / 2 ** 20)} MB`);

/**
 * A positive number from the environment (a benchmark knob), or `fallback` when unset or empty.
 * @param {string} name
 * @param {number} fallback
 */
export function envNumber(name, fallback) {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
}

/**
 * @typedef {{ target: string, measured: string, result: string }} TargetRow a row of the Targets table
 * @typedef {{ targets: TargetRow[], notes: string[], log: (message: string) => void }} BenchContext
 */

/**
 * Runs one benchmark file's body, then prints its Targets table and notes. Exit code 0 whether or
 * not a target is met; 1 when the benchmark itself failed (an exception: a server did not start, a
 * probe got a wrong answer). Every server process still running is stopped either way.
 * @param {string} title
 * @param {(context: BenchContext) => Promise<void>} main
 */
export async function runBench(title, main) {
  const t0 = performance.now();
  /** @type {BenchContext} */
  const context = { targets: [], notes: [], log: (message) => process.stderr.write(`${message}\n`) };
  let failed = false;
  try {
    await main(context);
  } catch (error) {
    failed = true;
    console.error(`\n${title}: benchmark error: ${error?.stack ?? error}`);
  } finally {
    await stopAllProcesses();
  }
  if (context.targets.length > 0) printTable(`Targets: ${title} (node ${process.version})`, context.targets);
  for (const note of context.notes) console.log(`! ${note}`);
  console.log(`\n${title}: run time ${fmt((performance.now() - t0) / 1000, 1)} s`);
  if (failed) {
    console.log(`! ${title} did not complete: targets not listed were not measured`);
    process.exitCode = 1;
  }
}
