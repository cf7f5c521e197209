import { describe, expect, test } from "vitest";
import { fromViolations, prismErrorReply } from "../src/internal/prism-violations.js";

describe("Prism's violations, faithfully", () => {
  test("violations naming an input become FastAPI validation errors, with Prism's status", () => {
    const reply = fromViolations(422, [
      { location: ["request", "query", "page_size"], code: "maximum", message: "must be <= 100", severity: "Error" },
      { location: ["query", "status"], code: "enum", message: "must be one of …", severity: "Error" },
      { location: ["request", "header", "x-trace"], code: "required", message: "must have x-trace", severity: "Error" },
    ]);
    expect(reply).toEqual({
      status: 422,
      body: {
        detail: [
          { loc: ["query", "page_size"], msg: "must be <= 100", type: "less_than_equal" },
          { loc: ["query", "status"], msg: "must be one of …", type: "enum" },
          { loc: ["header", "x-trace"], msg: "must have x-trace", type: "missing" },
        ],
      },
    });
  });

  // As Prism 5.14.2 words a createBatch body (recorded from its sl-violations header). The front
  // judges bodies before Prism sees them; these reach a client only in proxy mode with --errors.
  test("body violations name the field, as FastAPI does: a missing property under its parent's location", () => {
    const reply = fromViolations(422, [
      {
        location: ["request", "body"],
        severity: "Error",
        code: "required",
        message: "Request body must have required property 'source_directory_id'",
      },
      {
        location: ["request", "body", "config", "job", "type"],
        severity: "Error",
        code: "enum",
        message: "Request body property config.job.type must be equal to one of the allowed values: parse_v2, extract_v2",
      },
      {
        location: ["request", "body", "source_directory_id"],
        severity: "Error",
        code: "type",
        message: "Request body property source_directory_id must be string",
      },
    ]);
    expect(reply?.status).toBe(422);
    expect(((reply?.body ?? { detail: [] }) as { detail: { loc: unknown[]; type: string }[] }).detail.map((d) => [d.loc, d.type])).toEqual([
      [["body", "source_directory_id"], "missing"],
      [["body", "config", "job", "type"], "enum"],
      [["body", "source_directory_id"], "type_error"],
    ]);
  });

  test("a violation about the request as a whole keeps its own status and reason, not a 422", () => {
    const body415 = {
      location: ["request"],
      severity: "Error",
      code: 415,
      message: "No supported content types, but request included a non-empty body",
    };
    expect(fromViolations(422, [body415])).toEqual({
      status: 415,
      body: { detail: "No supported content types, but request included a non-empty body" },
    });
    // In a problem+json, the same violation comes without a location.
    expect(fromViolations(422, [{ severity: "Error", code: 415, message: "No body here" }])).toEqual({
      status: 415,
      body: { detail: "No body here" },
    });
    expect(fromViolations(401, [{ location: ["request"], code: 401, message: "Invalid security scheme used" }])).toEqual({
      status: 401,
      body: { detail: "Invalid security scheme used" },
    });
    // No HTTP code of its own: Prism's status, and the status's words when there is no message.
    expect(fromViolations(400, [{ location: ["request"], code: "x" }])).toEqual({ status: 400, body: { detail: "Bad Request" } });
  });

  test("a response violation (proxy, --errors) is said as it is, with Prism's status", () => {
    expect(
      fromViolations(500, [
        { location: ["response", "body", "items", 0, "status"], code: "enum", message: "Response body property items.0.status must be…" },
      ]),
    ).toEqual({
      status: 500,
      body: { detail: "Response body property items.0.status must be…" },
    });
  });

  test("nothing to say: warnings only, garbage, nothing", () => {
    expect(fromViolations(404, [{ location: ["request"], severity: "Warning", message: "Selected route not found" }])).toBeUndefined();
    expect(fromViolations(422, undefined)).toBeUndefined();
    expect(fromViolations(422, "nope")).toBeUndefined();
    expect(fromViolations(422, [])).toBeUndefined();
    expect(fromViolations(422, [null, 3])).toBeUndefined();
  });
});

describe("every error Prism sends, in the API's { detail } shape", () => {
  const problem = (p: Record<string, unknown>) => ({ contentType: "application/problem+json", body: JSON.stringify(p) });

  test("mock mode: the sl-violations header tells what Prism refused, over the spec's static example", () => {
    const staticExample = JSON.stringify({
      detail: [{ loc: ["query", "page_size"], msg: "Input should be less than or equal to 100", type: "less_than_equal" }],
    });
    const violations = JSON.stringify([
      { location: ["request"], severity: "Error", code: 415, message: "No supported content types, but request included a non-empty body" },
    ]);
    expect(prismErrorReply(422, { contentType: "application/json", violations, body: staticExample }, false)).toEqual({
      status: 415,
      body: { detail: "No supported content types, but request included a non-empty body" },
    });
  });

  test("proxy mode: the status and body are the upstream's; the header only reports", () => {
    const upstream = JSON.stringify({ detail: "Not authenticated" });
    const violations = JSON.stringify([{ location: ["request"], severity: "Error", code: 401, message: "Invalid security scheme used" }]);
    expect(prismErrorReply(401, { contentType: "application/json", violations, body: upstream }, true)).toBeUndefined();
    expect(prismErrorReply(418, { contentType: "text/plain", body: "short and stout" }, true)).toBeUndefined();
  });

  test("problem+json: validation, router refusals in Starlette's words, else Prism's reason", () => {
    const unprocessable = problem({
      type: "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY",
      title: "Invalid request",
      status: 422,
      detail: "Your request is not valid and no HTTP validation response was found in the spec, so Prism is generating this error for you.",
      validation: [{ severity: "Error", code: 415, message: "No supported content types, but request included a non-empty body" }],
    });
    expect(prismErrorReply(422, unprocessable, true)).toEqual({
      status: 415,
      body: { detail: "No supported content types, but request included a non-empty body" },
    });
    const noPath = problem({
      type: "https://stoplight.io/prism/errors#NO_PATH_MATCHED_ERROR",
      title: "Route not resolved, no path matched",
      detail: "The route /x hasn't been found",
    });
    expect(prismErrorReply(404, noPath, false)).toEqual({ status: 404, body: { detail: "Not Found" } });
    const noMethod = problem({
      type: "https://stoplight.io/prism/errors#NO_METHOD_MATCHED_ERROR",
      title: "Route resolved, but no method matched",
    });
    expect(prismErrorReply(405, noMethod, true)).toEqual({ status: 405, body: { detail: "Method Not Allowed" } });
    const unauthorized = problem({
      type: "https://stoplight.io/prism/errors#UNAUTHORIZED",
      title: "Invalid security scheme used",
      detail:
        "Your request does not fullfil the security requirements and no HTTP unauthorized response was found in the spec, so Prism is generating this error for you.",
    });
    expect(prismErrorReply(401, unauthorized, true)).toEqual({ status: 401, body: { detail: "Invalid security scheme used" } });
    const noExample = problem({
      type: "https://stoplight.io/prism/errors#NOT_FOUND",
      title: "The server cannot find the requested content",
      detail: "Requested status code 418 is not defined in the document.",
    });
    expect(prismErrorReply(404, noExample, false)).toEqual({
      status: 404,
      body: { detail: "Requested status code 418 is not defined in the document." },
    });
    const proxyBody = problem({
      type: "https://stoplight.io/prism/errors#PROXY_UNSUPPORTED_REQUEST_BODY",
      title: "The Prism proxy does not support …",
      detail: "",
    });
    expect(prismErrorReply(501, proxyBody, true)).toEqual({ status: 501, body: { detail: "The Prism proxy does not support …" } });
  });

  test("a refusal Prism wraps in a 500 (a Prefer: code it cannot give in the accepted type) is said as itself", () => {
    const title =
      "https://stoplight.io/prism/errors#NOT_ACCEPTABLE: The server cannot produce a representation for your accept header. We tried default response, but we got https://stoplight.io/prism/errors#NOT_ACCEPTABLE: The server cannot produce a representation for your accept header";
    expect(
      prismErrorReply(500, problem({ type: "https://stoplight.io/prism/errors#UNKNOWN", title, status: 500, detail: "" }), false),
    ).toEqual({
      status: 406,
      body: { detail: "The server cannot produce a representation for your accept header" },
    });
    // A 500 Prism does not explain stays one.
    expect(
      prismErrorReply(
        500,
        problem({ type: "https://stoplight.io/prism/errors#UNKNOWN", title: "Cannot read properties of undefined" }),
        false,
      ),
    ).toEqual({
      status: 500,
      body: { detail: "Cannot read properties of undefined" },
    });
  });

  test("an empty body never goes out as an error; a body with a detail passes; Prism's other bodies are replaced", () => {
    expect(prismErrorReply(405, { contentType: "application/problem+json", body: "" }, false)).toEqual({
      status: 405,
      body: { detail: "Method Not Allowed" },
    });
    expect(prismErrorReply(404, { body: "" }, true)).toEqual({ status: 404, body: { detail: "Not Found" } });
    expect(prismErrorReply(429, { contentType: "application/json", body: '{"detail":"Rate limit exceeded"}' }, false)).toBeUndefined();
    expect(prismErrorReply(400, { contentType: "text/plain", body: "Bad" }, false)).toEqual({
      status: 400,
      body: { detail: "Bad Request" },
    });
    expect(prismErrorReply(400, { contentType: "application/json", body: "[1]" }, false)).toEqual({
      status: 400,
      body: { detail: "Bad Request" },
    });
  });
});
