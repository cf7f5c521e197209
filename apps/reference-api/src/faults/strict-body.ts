import { issue } from "@llama-batches/spec";
import type { Fault } from "./seams.js";

export const strictBody: Fault = {
  description: "a create body with a field the schema does not know is refused with a 422 extra_forbidden",
  wrap: (seams, { spec }) => {
    const schema = spec.document.components?.schemas?.[spec.operation("createBatch").requestBody?.schema ?? ""] as
      | { properties?: Record<string, unknown> }
      | undefined;
    const known = new Set(Object.keys(schema?.properties ?? {}));
    return {
      ...seams,
      parseBody: (text, contentType) => {
        const parsed = seams.parseBody(text, contentType);
        if (!parsed.ok || parsed.body === undefined) return parsed;
        const extra = Object.entries(parsed.body).filter(([name]) => !known.has(name));
        return extra.length === 0
          ? parsed
          : { ok: false, issues: extra.map(([name, value]) => issue.extraForbidden(["body", name], value)) };
      },
    };
  },
};
