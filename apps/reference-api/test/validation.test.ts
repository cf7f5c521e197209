import { getSpec } from "@llama-batches/spec";
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import type { ApiKey } from "../src/index.js";
import { asPage, DAY, fcOptions, LIST, listPath, type Reply, rfc3339, STATUSES, send, useReferenceApi } from "./helpers.js";

interface Issue {
  loc: unknown[];
  msg: unknown;
  type: unknown;
  input?: unknown;
}

const ref = useReferenceApi({ port: 0, seed: 3, size: 400 });
let orgKey: ApiKey;
let projectKey: ApiKey;

beforeAll(() => {
  const org = ref.orgKeys[0];
  const project = ref.projectKeys.find((k) => k.organization_id === org?.organization_id);
  if (!org || !project) throw new Error("the generated dataset has no organization-wide or no project key");
  orgKey = org;
  projectKey = project;
});

/**
 * One request. Every response of the server, whatever its status, must be JSON and carry an
 * `x-request-id`: this helper checks both, so every test below checks them too.
 */
async function call(
  path: string,
  init: { method?: string; key?: string | null; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...init.headers };
  const key = init.key === undefined ? orgKey.key : init.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const method = init.method ?? "GET";
  const reply = await send(ref.api, path, { method, headers, ...(init.body === undefined ? {} : { body: init.body }) });
  if (!reply.headers.get("x-request-id")) throw new Error(`${method} ${path} → ${reply.status} without an x-request-id header`);
  if (!/^application\/json\b/.test(reply.headers.get("content-type") ?? "")) {
    throw new Error(`${method} ${path} → ${reply.status} with content-type ${reply.headers.get("content-type")}`);
  }
  if (!reply.json) throw new Error(`${method} ${path} → ${reply.status} with a body that is not JSON: ${String(reply.body).slice(0, 200)}`);
  return reply;
}

/** The 422 issues of a reply, after checking the FastAPI shape of every one of them. */
function issuesOf(reply: Reply): Issue[] {
  expect(reply.status, JSON.stringify(reply.body)).toBe(422);
  const detail = (reply.body as { detail?: unknown }).detail;
  expect(Array.isArray(detail), `detail must be an array: ${JSON.stringify(reply.body)}`).toBe(true);
  const issues = detail as Issue[];
  expect(issues.length).toBeGreaterThan(0);
  for (const issue of issues) {
    expect(Array.isArray(issue.loc)).toBe(true);
    expect(issue.loc[0]).toBe("query");
    expect(typeof issue.loc[1]).toBe("string");
    expect(typeof issue.msg).toBe("string");
    expect((issue.msg as string).length).toBeGreaterThan(0);
    expect(typeof issue.type).toBe("string");
    expect((issue.type as string).length).toBeGreaterThan(0);
  }
  return issues;
}

const INVALID: readonly [param: string, value: string][] = [
  ["status", "running"],
  ["status", "Running"],
  ["status", "UNKNOWN"],
  ["status", ""],
  ["status", "RUNNING,FAILED"],
  ["status", " RUNNING"],
  ["page_size", "abc"],
  ["page_size", "1.5"],
  ["page_size", "10.5"],
  ["page_size", "0"],
  ["page_size", "-1"],
  ["page_size", "-20"],
  ["page_size", ""],
  ["page_size", "1e2"],
  ["page_size", "0x10"],
  ["page_size", "twenty"],
  ["created_at_on_or_after", "2026-01-01"],
  ["created_at_on_or_after", "2026-01-01T00:00:00"],
  ["created_at_on_or_after", "2026-01-01T00:00:00.123"],
  ["created_at_on_or_after", "not-a-date"],
  ["created_at_on_or_after", ""],
  ["created_at_on_or_after", "2026-13-01T00:00:00Z"],
  ["created_at_on_or_after", "2026-02-30T00:00:00Z"],
  ["created_at_on_or_after", "2026-01-01T25:00:00Z"],
  ["created_at_on_or_after", "2026-01-01T00:00:00+24:00"],
  ["created_at_on_or_after", "1767225600"],
  ["created_at_on_or_after", "2026-01-01T00:00:00ZZ"],
  ["created_at_on_or_before", "2026-12-31"],
  ["created_at_on_or_before", "2026-12-31T23:59:59"],
  ["created_at_on_or_before", "yesterday"],
  ["created_at_on_or_before", ""],
  ["created_at_on_or_before", "2026-12-32T00:00:00Z"],
  ["created_at_on_or_before", "31/12/2026 23:59:59Z"],
  ["organization_id", "not-a-uuid"],
  ["organization_id", ""],
  ["organization_id", "1234"],
  ["organization_id", "12345678-1234-1234-1234-12345678901"],
  ["organization_id", "12345678-1234-1234-1234-1234567890123"],
  ["organization_id", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"],
  ["organization_id", "12345678-1234-1234-1234-123456789012-"],
  ["project_id", "not-a-uuid"],
  ["project_id", ""],
  ["project_id", "prj-12345678-1234-1234-1234-123456789012"],
  ["project_id", "12345678_1234_1234_1234_123456789012"],
  ["project_id", "gggggggg-1234-1234-1234-123456789012"],
  ["page_token", ""],
  ["page_token", "garbage"],
  ["page_token", "eyJ4IjoxfQ.c2lnbmF0dXJl"],
];

describe("page_size above the maximum is served as the maximum (decided: the sibling list endpoints coerce it)", () => {
  const { maximum } = getSpec().operation("listBatches").pageSize ?? { maximum: 0 };
  test.each([String(maximum + 1), String(maximum * 10), "1000000000000000000000"])("page_size=%s", async (value) => {
    const page = asPage(await call(listPath({ page_size: value })));
    expect(page.items).toHaveLength(maximum);
    expect(page.next_page_token).toBeTruthy();
  });
});

describe("each invalid query parameter is a 422 naming it", () => {
  test.each(INVALID)("%s=%j", async (param, value) => {
    const issues = issuesOf(await call(listPath([[param, value]])));
    const mine = issues.filter((i) => i.loc[1] === param);
    expect(mine, `no issue names ${param}: ${JSON.stringify(issues)}`).toHaveLength(1);
    expect(mine[0]?.loc).toEqual(["query", param]);
    expect(mine[0]?.input).toBe(value);
    // Only the bad parameter is blamed.
    expect(issues.every((i) => i.loc[1] === param)).toBe(true);
  });

  test("a tampered page token is a 422 naming page_token", async () => {
    const first = asPage(await call(listPath({ page_size: 5 })));
    const token = first.next_page_token;
    expect(typeof token).toBe("string");
    const [payload = "", signature = ""] = String(token).split(".");
    const flipped = `${payload.slice(0, -1)}${payload.endsWith("A") ? "B" : "A"}.${signature}`;
    for (const bad of [`${token}x`, String(token).slice(0, -3), flipped, `${token}.extra`, signature]) {
      const issues = issuesOf(await call(listPath({ page_size: 5, page_token: bad })));
      expect(issues.map((i) => i.loc)).toEqual([["query", "page_token"]]);
    }
  });
});

describe("several invalid parameters are all named", () => {
  test("four at once", async () => {
    const issues = issuesOf(
      await call(
        listPath({
          status: "running",
          page_size: "0",
          organization_id: "nope",
          created_at_on_or_after: "2026-01-01",
        }),
      ),
    );
    expect(new Set(issues.map((i) => i.loc[1]))).toEqual(new Set(["status", "page_size", "organization_id", "created_at_on_or_after"]));
  });

  test("any subset of bad parameters, alongside good ones (property)", async () => {
    const bad: Record<string, readonly string[]> = {};
    for (const [param, value] of INVALID) {
      if (param === "page_token") continue; // a bad token is only reached once the rest is valid
      bad[param] = [...(bad[param] ?? []), value];
    }
    const names = Object.keys(bad);
    const own = ref.data.find((b) => b.project_id === projectKey.project_id);
    if (!own) throw new Error("no batch in the project key's project");
    const good: Record<string, string> = {
      status: "RUNNING",
      page_size: "7",
      organization_id: orgKey.organization_id,
      project_id: own.project_id,
      source_directory_id: own.source_directory_id,
      created_at_on_or_after: "2026-01-01T00:00:00Z",
      created_at_on_or_before: "2026-12-31T23:59:59+02:00",
    };
    await fc.assert(
      fc.asyncProperty(
        fc
          .subarray(names, { minLength: 1 })
          .chain((chosen) => fc.tuple(...chosen.map((name) => fc.tuple(fc.constant(name), fc.constantFrom(...(bad[name] ?? [])))))),
        async (chosen) => {
          const params: Record<string, string> = { ...good, ...Object.fromEntries(chosen) };
          const issues = issuesOf(await call(listPath(params)));
          expect(new Set(issues.map((i) => i.loc[1]))).toEqual(new Set(chosen.map(([name]) => name)));
        },
      ),
      fcOptions(40),
    );
  });
});

describe("valid values", () => {
  test("every parameter at once, then again with the token it gave → 200", async () => {
    const own = ref.data.find((b) => b.project_id === projectKey.project_id && b.status === "COMPLETED");
    if (!own) throw new Error("no COMPLETED batch in the project key's project");
    const params = {
      status: "COMPLETED",
      page_size: 1,
      organization_id: orgKey.organization_id,
      project_id: own.project_id,
      source_directory_id: own.source_directory_id,
      created_at_on_or_after: "2025-01-01T00:00:00Z",
      created_at_on_or_before: "2027-01-01T01:00:00+01:00",
    };
    const count = ref.data.filter(
      (b) => b.project_id === own.project_id && b.source_directory_id === own.source_directory_id && b.status === "COMPLETED",
    ).length;
    const first = asPage(await call(listPath(params)));
    expect(first.items.map((b) => b.id)).toEqual([expect.any(String)]);
    if (count > 1) {
      expect(typeof first.next_page_token).toBe("string");
      const second = asPage(await call(listPath({ ...params, page_token: String(first.next_page_token) })));
      expect(second.items).toHaveLength(1);
    }
    // Same with the project key, which may name its own organization and project.
    asPage(await call(listPath(params), { key: projectKey.key }));
  });

  test("any combination of valid values → 200 (property)", async () => {
    const projects = [...new Set(ref.data.map((b) => b.project_id))];
    const directories = [...new Set(ref.data.map((b) => b.source_directory_id))];
    const times = ref.data.map((b) => Date.parse(b.created_at ?? ""));
    const oldest = Math.min(...times) - DAY;
    const newest = Math.max(...times) + DAY;
    const instant = fc
      .record({
        ms: fc.integer({ min: oldest, max: newest }),
        offset: fc.constantFrom(0, 60, -60, 330, -210, 345, 840, -720),
        lowercase: fc.boolean(),
      })
      .map(({ ms, offset, lowercase }) => rfc3339(ms, offset, lowercase ? "z" : "Z"));
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            status: fc.constantFrom(...STATUSES),
            page_size: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(1, 100)),
            organization_id: fc.constantFrom(...new Set(ref.api.apiKeys.map((k) => k.organization_id))),
            project_id: fc.constantFrom(...projects),
            source_directory_id: fc.oneof(fc.constantFrom(...directories), fc.string()),
            created_at_on_or_after: instant,
            created_at_on_or_before: instant,
          },
          { requiredKeys: [] },
        ),
        fc.constantFrom(...ref.api.apiKeys),
        async (params, key) => {
          const first = asPage(await call(listPath(params), { key: key.key }));
          expect(first.items.length).toBeLessThanOrEqual(params.page_size ?? 20);
          if (first.next_page_token) {
            asPage(await call(listPath({ ...params, page_token: first.next_page_token }), { key: key.key }));
          }
        },
      ),
      fcOptions(40),
    );
  });

  test("page_size bounds 1 and 100 are accepted", async () => {
    expect(asPage(await call(listPath({ page_size: 1 }))).items).toHaveLength(1);
    const full = asPage(await call(listPath({ page_size: 100 })));
    expect(full.items.length).toBeGreaterThan(1);
    expect(full.items.length).toBeLessThanOrEqual(100);
  });

  test("an empty source_directory_id is a valid string: 200, and it matches nothing", async () => {
    expect(asPage(await call(listPath({ source_directory_id: "" }))).items).toEqual([]);
  });
});

describe("unknown and repeated parameters", () => {
  test("unknown parameters are ignored", async () => {
    const plain = asPage(await call(listPath({ page_size: 9, status: "FAILED" })));
    const noisy = asPage(
      await call(listPath({ page_size: 9, status: "FAILED", foo: "bar", limit: "2", offset: "5", expand: "results", pageSize: "abc" })),
    );
    expect(noisy.items.map((b) => b.id)).toEqual(plain.items.map((b) => b.id));
    expect(plain.items.length).toBeGreaterThan(0);
  });

  test("a repeated parameter takes its last value", async () => {
    const failed = asPage(await call(listPath({ status: "FAILED", page_size: 100 })));
    const repeated = asPage(
      await call(
        listPath([
          ["status", "RUNNING"],
          ["status", "FAILED"],
          ["page_size", "100"],
        ]),
      ),
    );
    expect(repeated.items.map((b) => b.id)).toEqual(failed.items.map((b) => b.id));
    expect(repeated.items.every((b) => b.status === "FAILED")).toBe(true);

    expect(
      asPage(
        await call(
          listPath([
            ["page_size", "1000"],
            ["page_size", "5"],
          ]),
        ),
      ).items,
    ).toHaveLength(5);
    const issues = issuesOf(
      await call(
        listPath([
          ["page_size", "5"],
          ["page_size", "0"],
        ]),
      ),
    );
    expect(issues.map((i) => [i.loc, i.input])).toEqual([[["query", "page_size"], "0"]]);
    // An invalid earlier value does not matter when the last one is valid.
    asPage(
      await call(
        listPath([
          ["status", "bogus"],
          ["status", "PENDING"],
        ]),
      ),
    );
  });
});

describe("methods and paths", () => {
  test.each(["PUT", "PATCH", "DELETE"])("%s on the list path → 405", async (method) => {
    const reply = await call(LIST, { method, ...(method === "DELETE" ? {} : { body: "{}" }) });
    expect(reply.status).toBe(405);
    expect(typeof (reply.body as { detail?: unknown }).detail).toBe("string");
  });

  test.each(["/", "/api/v2/batch", "/api/v2/batches/bat-123", "/api/v1/batches", "/_admin/batches"])("GET %s → 404", async (path) => {
    const reply = await call(path);
    expect(reply.status).toBe(404);
    expect(typeof (reply.body as { detail?: unknown }).detail).toBe("string");
  });

  test("every kind of response is JSON with its own x-request-id", async () => {
    const replies = [
      await call(LIST),
      await call(listPath({ page_size: 0 })),
      await call(LIST, { key: null }),
      await call(LIST, { key: "llx-unknown" }),
      await call(LIST, { method: "PUT", body: "{}" }),
      await call("/nowhere"),
    ];
    expect(replies.map((r) => r.status)).toEqual([200, 422, 401, 401, 405, 404]);
    const ids = replies.map((r) => r.headers.get("x-request-id"));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
