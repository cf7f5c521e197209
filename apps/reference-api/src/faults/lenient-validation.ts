import type { Fault } from "./seams.js";

export const lenientValidation: Fault = {
  description: "invalid parameters are ignored instead of refused with a 422",
  wrap: (seams) => ({
    ...seams,
    parseQuery: (params) => {
      const checked = seams.parseQuery(params);
      if (checked.ok) return checked;
      const lenient = new URLSearchParams(params);
      for (const issue of checked.issues) lenient.delete(String(issue.loc[1]));
      return seams.parseQuery(lenient);
    },
  }),
};
