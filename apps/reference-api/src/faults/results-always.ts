import { type Fault, withHandler } from "./seams.js";

export const resultsAlways: Fault = {
  description: "retrieve fills results even without expand",
  wrap: (seams, { spec }) => {
    const [field = ""] = spec.enumOf("BatchExpand");
    return withHandler(seams, "retrieve", (retrieve) => (request) => {
      if (request.params.has("expand")) return retrieve(request);
      const params = new URLSearchParams(request.params);
      params.append("expand", field);
      return retrieve({ ...request, params });
    });
  },
};
