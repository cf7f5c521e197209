import { type Fault, withQuery } from "./seams.js";

export const ignoreStatusFilter: Fault = {
  description: "the status filter is ignored",
  wrap: (seams) => withQuery(seams, (q) => seams.store.query({ ...q, status: undefined })),
};
