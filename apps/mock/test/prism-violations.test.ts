import { expect, test } from "vitest";
import { fastApiBody } from "../src/internal/prism-violations.js";

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
