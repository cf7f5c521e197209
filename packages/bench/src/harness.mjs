// Side-by-side timing: contenders run in interleaved rounds (order rotated each round), so that a
// noisy neighbour slows all of them alike; we report medians and ratios, never lone absolutes.

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

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Prints rows of objects as an aligned table. */
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

export const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const verdict = (ok) => (ok ? "PASS" : "FAIL");
