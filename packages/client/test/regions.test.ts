import { getSpec } from "@llama-batches/spec";
import { afterEach, describe, expect, test, vi } from "vitest";
import {
  AuthenticationError,
  type BatchCreateParams,
  BatchesError,
  createBatchesClient,
  DEFAULT_BASE_URL,
  DEFAULT_REGION,
  REGIONS,
} from "../src/index.js";
import { fakeFetch, json, page, TEST_KEY } from "./helpers/fake-fetch.js";

const regions = getSpec().regions;
const [home, away] = regions as [(typeof regions)[number], (typeof regions)[number]];
const CUSTOM = "http://127.0.0.1:9/";

afterEach(() => {
  vi.unstubAllEnvs();
});

/** A client built with the environment cleared but for `env`. */
function clientWith(options: Parameters<typeof createBatchesClient>[0], env: Record<string, string> = {}) {
  vi.stubEnv("LLAMA_CLOUD_BASE_URL", "");
  vi.stubEnv("LLAMA_CLOUD_REGION", "");
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  return createBatchesClient({ apiKey: TEST_KEY, ...options });
}

describe("regions", () => {
  test("the generated regions are the spec's, the default first", () => {
    expect(REGIONS).toEqual(Object.fromEntries(regions.map((r) => [r.region, r.url])));
    expect(DEFAULT_REGION).toBe(home.region);
    expect(DEFAULT_BASE_URL).toBe(home.url);
  });

  test("the default is the spec's first region", () => {
    expect(clientWith({}).baseUrl).toBe(home.url);
  });

  test.each(regions.map((r) => r.region))("region %s → its URL, by option and by LLAMA_CLOUD_REGION", (region) => {
    const url = regions.find((r) => r.region === region)?.url;
    expect(clientWith({ region: region as keyof typeof REGIONS }).baseUrl).toBe(url);
    expect(clientWith({}, { LLAMA_CLOUD_REGION: region }).baseUrl).toBe(url);
    expect(clientWith({}, { LLAMA_CLOUD_REGION: region.toUpperCase() }).baseUrl).toBe(url);
  });

  test("precedence: baseUrl option > region option > LLAMA_CLOUD_BASE_URL > LLAMA_CLOUD_REGION > default", () => {
    const env = { LLAMA_CLOUD_BASE_URL: CUSTOM, LLAMA_CLOUD_REGION: away.region };
    expect(clientWith({ baseUrl: "http://option.test" }, env).baseUrl).toBe("http://option.test");
    expect(clientWith({ region: home.region as keyof typeof REGIONS }, env).baseUrl).toBe(home.url);
    expect(clientWith({}, env).baseUrl).toBe(CUSTOM.replace(/\/$/, ""));
    expect(clientWith({}, { LLAMA_CLOUD_REGION: away.region }).baseUrl).toBe(away.url);
  });

  test("both baseUrl and region as options is an error: one would be ignored", () => {
    expect(() => clientWith({ baseUrl: CUSTOM, region: away.region as keyof typeof REGIONS })).toThrow(BatchesError);
  });

  test("an unknown region throws a BatchesError naming it and the known ones", () => {
    for (const make of [() => clientWith({ region: "mars" as never }), () => clientWith({}, { LLAMA_CLOUD_REGION: "mars" })]) {
      expect(make).toThrow(BatchesError);
      expect(make).toThrow(/"mars"/);
      for (const r of regions) expect(make).toThrow(new RegExp(`\\b${r.region}\\b`));
    }
  });
});

describe("a 401's message", () => {
  async function unauthorized(options: Parameters<typeof createBatchesClient>[0]) {
    const { fetch } = fakeFetch(json({ detail: "Invalid authentication credentials" }, 401), json(page([])));
    return (await clientWith({ ...options, fetch })
      .batches.list()
      .catch((e: unknown) => e)) as AuthenticationError;
  }

  test.each(regions.map((r) => r.region))("in region %s names the other region and its URL as the most common cause", async (region) => {
    const error = await unauthorized({ region: region as keyof typeof REGIONS });
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message.startsWith("401 Invalid authentication credentials. ")).toBe(true);
    for (const other of regions.filter((r) => r.region !== region)) {
      expect(error.message).toContain(`${other.region} (${other.url})`);
    }
    const own = regions.find((r) => r.region === region);
    expect(error.message).not.toContain(own?.url);
    expect(error.message).toMatch(/region/);
  });

  test("from retrieve, create and cancel too", async () => {
    const { fetch } = fakeFetch(json({ detail: "no" }, 401));
    const client = clientWith({ fetch });
    const body = Object.values(getSpec().requestExamples("createBatch"))[0]?.value as BatchCreateParams;
    for (const call of [() => client.batches.retrieve("b"), () => client.batches.create(body), () => client.batches.cancel("b")]) {
      expect(((await call().catch((e: unknown) => e)) as Error).message).toContain(away.url);
    }
  });

  test("against a URL that is no region's (a mock), no hint", async () => {
    const error = await unauthorized({ baseUrl: CUSTOM });
    expect(error.message).toBe("401 Invalid authentication credentials");
  });

  test("other statuses get no hint", async () => {
    const { fetch } = fakeFetch(json({ detail: "nope" }, 403));
    const error = (await clientWith({ fetch })
      .batches.list()
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toBe("403 nope");
  });
});
