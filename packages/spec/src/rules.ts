import type { OpenApiDocument } from "./document.js";
import { escapePointer } from "./internal/pointer.js";

/**
 * Where a rule comes from. `documented`: the public reference page or the official SDKs'
 * behaviour. `decided`: this contract's choice where the page is silent.
 */
export type Tier = "documented" | "decided";

/** A rule a server is held to, as the spec states it in an `x-rules` map. */
export interface Rule {
  id: string;
  tier: Tier;
  text: string;
  /** JSON pointers of the nodes that state it (a rule may be stated next to each parameter it concerns). */
  where: string[];
}

const TIERS: readonly string[] = ["documented", "decided"];

/** Every `x-rules` entry of the document, by id. The same id stated twice must say the same. */
export function readRules(document: OpenApiDocument): Map<string, Rule> {
  const rules = new Map<string, Rule>();
  const visit = (node: unknown, pointer: string) => {
    if (node === null || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) visit(child, `${pointer}/${i}`);
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === "x-rules") {
        for (const [id, raw] of Object.entries(child as Record<string, { tier?: unknown; rule?: unknown }>)) {
          if (typeof raw?.tier !== "string" || !TIERS.includes(raw.tier) || typeof raw.rule !== "string" || !raw.rule.trim()) {
            throw new Error(`${pointer}/x-rules/${id}: a rule needs a tier (${TIERS.join(" or ")}) and a rule text`);
          }
          const known = rules.get(id);
          if (known && (known.tier !== raw.tier || known.text !== raw.rule)) {
            throw new Error(`rule ${id} is stated twice, differently: at ${known.where[0]} and at ${pointer}`);
          }
          if (known) known.where.push(pointer);
          else rules.set(id, { id, tier: raw.tier as Tier, text: raw.rule, where: [pointer] });
        }
      } else {
        visit(child, `${pointer}/${escapePointer(key)}`);
      }
    }
  };
  visit(document, "#");
  return rules;
}
