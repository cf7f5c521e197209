import { getSpec } from "@llama-batches/spec";
import { expect, test } from "vitest";
import { judgeInput } from "../src/internal/input.js";

const spec = getSpec();
const params = (q: string) => new URLSearchParams(q);
const locs = (r: { issues: { loc: unknown[] }[] }) => r.issues.map((i) => i.loc);

test("the query's issues and the body's, in one list, the query first", () => {
  const query = spec.parseQuery("createBatch", params("project_id=nope"));
  const body = spec.parseBody("createBatch", "{}", "application/json");
  if (query.ok || body.ok) throw new Error("expected both to be refused");
  const r = judgeInput(spec, "createBatch", params("project_id=nope"), "{}", "application/json");
  expect(r).toEqual({ issues: [...query.issues, ...body.issues] });
  expect(locs(r)[0]).toEqual(["query", "project_id"]);
});

test("a body that does not decode is the only issue, as FastAPI decodes before it validates", () => {
  const r = judgeInput(spec, "createBatch", params("project_id=nope"), "{oops", "application/json");
  expect(r.issues.map((i) => [i.type, i.loc[0]])).toEqual([["json_invalid", "body"]]);
});

test("a valid body is handed on; an operation without one never looks at the text", () => {
  const [example] = Object.values(spec.requestExamples("createBatch"));
  const ok = judgeInput(spec, "createBatch", params(""), JSON.stringify(example?.value), undefined);
  expect(ok).toEqual({ issues: [], body: example?.value });
  expect(judgeInput(spec, "cancelBatch", params(""), "{oops", "application/json")).toEqual({ issues: [] });
  expect(locs(judgeInput(spec, "getBatch", params("expand=nope"), undefined, undefined))).toEqual([["query", "expand", 0]]);
});
