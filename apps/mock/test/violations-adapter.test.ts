import { expect, test } from "vitest";
import { emptyValueCheck, fastApiBody } from "../src/internal/violations-adapter.js";

test("Prism's request violations become FastAPI validation errors", () => {
  const body = fastApiBody([
    { location: ["request", "query", "page_size"], code: "maximum", message: "must be <= 100", severity: "Error" },
    { location: ["query", "status"], code: "enum", message: "must be one of …", severity: "Error" },
  ]);
  expect(JSON.parse(body ?? "")).toEqual({
    detail: [
      { loc: ["query", "page_size"], msg: "must be <= 100", type: "less_than_equal" },
      { loc: ["query", "status"], msg: "must be one of …", type: "enum" },
    ],
  });
});

test("nothing to rewrite: response violations, bare requests, garbage", () => {
  expect(fastApiBody([{ location: ["response", "body"], code: "type", message: "x" }])).toBeUndefined();
  expect(fastApiBody([{ location: ["request"], code: 401, message: "Invalid security scheme used" }])).toBeUndefined();
  expect(fastApiBody(undefined)).toBeUndefined();
  expect(fastApiBody("nope")).toBeUndefined();
  expect(fastApiBody([])).toBeUndefined();
});

test("empty values are refused where the parameter's schema cannot be empty, and only on the operation's path", () => {
  const check = emptyValueCheck("/api/v2/batches", [
    { name: "status", type: "string", enum: ["A"] },
    { name: "page_size", type: "integer" },
    { name: "source_directory_id", type: "string" },
  ]);
  expect(JSON.parse(check("/api/v2/batches?status=&page_size=&source_directory_id=") ?? "").detail.map((d: { loc: string[] }) => d.loc[1])).toEqual([
    "status",
    "page_size",
  ]);
  expect(check("/api/v2/batches?source_directory_id=")).toBeUndefined();
  expect(check("/api/v2/batches?status=A")).toBeUndefined();
  expect(check("/api/v2/batches?status=&status=A")).toBeUndefined();
  expect(check("/elsewhere?status=")).toBeUndefined();
});
