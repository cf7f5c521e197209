import { type Fault, withList } from "./seams.js";

const FILTERS = ["status", "project_id", "source_directory_id", "organization_id", "created_at_on_or_after", "created_at_on_or_before"];

export const tokenIgnoresFilters: Fault = {
  description: "tokens are not bound to their query, and pages after the first ignore the filters",
  wrap: (seams) => {
    const tokens = seams.tokens;
    const unbound = {
      ...seams,
      tokens: {
        issue: (cursor: Parameters<typeof tokens.issue>[0]) => tokens.issue(cursor, "any"),
        read: (token: string) => tokens.read(token, "any"),
      },
    };
    return withList(unbound, (list) => (request) => {
      if (!request.params.has("page_token")) return list(request);
      const params = new URLSearchParams(request.params);
      for (const name of FILTERS) params.delete(name);
      return list({ ...request, params });
    });
  },
};
