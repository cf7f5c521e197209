/** mulberry32: tiny, fast, and the same sequence for the same seed on every machine. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX = "0123456789abcdef";

/** A version-4-shaped UUID drawn from `rng` (deterministic, unlike crypto.randomUUID). */
export function uuid(rng: () => number): string {
  let out = "";
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) out += "-";
    else if (i === 14) out += "4";
    else if (i === 19) out += HEX[8 + ((rng() * 4) | 0)];
    else out += HEX[(rng() * 16) | 0];
  }
  return out;
}

export function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[(rng() * items.length) | 0] as T;
}
