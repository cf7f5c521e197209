import type { BatchCreateRequest } from "../requests.js";
import type { Fault } from "./seams.js";

export const lenientBody: Fault = {
  description: "a create body without source_directory_id is accepted (200, an empty source_directory_id)",
  wrap: (seams) => ({
    ...seams,
    parseBody: (text, contentType) => {
      const parsed = seams.parseBody(text, contentType);
      if (parsed.ok || text === undefined) return parsed;
      const onlyDirectoryMissing = parsed.issues.every((i) => i.type === "missing" && i.loc.join(".") === "body.source_directory_id");
      // Only that issue: the body is an object that parsed, without the field.
      return onlyDirectoryMissing
        ? { ok: true, body: { ...(JSON.parse(text) as Omit<BatchCreateRequest, "source_directory_id">), source_directory_id: "" } }
        : parsed;
    },
  }),
};
