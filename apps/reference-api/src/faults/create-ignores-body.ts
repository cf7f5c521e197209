import type { Fault } from "./seams.js";

/** What every batch is created from, whatever the body says: a stale template. */
const TEMPLATE_DIRECTORY = "dir-00000000-0000-4000-8000-000000000000";
const TEMPLATE_CONFIGURATION = "cfg-00000000-0000-4000-8000-000000000000";

export const createIgnoresBody: Fault = {
  description:
    "create answers (and stores) a batch whose source_directory_id and configuration_id come from a fixed template, not the body",
  wrap: (seams) => ({
    ...seams,
    parseBody: (text, contentType) => {
      const parsed = seams.parseBody(text, contentType);
      if (!parsed.ok || parsed.body === undefined) return parsed;
      const { config } = parsed.body;
      return {
        ok: true,
        body: {
          ...parsed.body,
          source_directory_id: TEMPLATE_DIRECTORY,
          config: { job: { ...config.job, configuration_id: TEMPLATE_CONFIGURATION } },
        },
      };
    },
  }),
};
