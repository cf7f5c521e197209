import { printTable } from "./harness.mjs";
import { benchPagination } from "./pagination.mjs";
import { benchRequests } from "./requests.mjs";
import { benchSize } from "./size.mjs";

if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");

const targets = [...(await benchRequests()), ...(await benchPagination()), ...(await benchSize())];
printTable(`Targets (node ${process.version})`, targets);
