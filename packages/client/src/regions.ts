import { BatchesError } from "./errors.js";
import { DEFAULT_REGION, REGIONS } from "./generated/constants.js";
import { readEnv } from "./internal/env.js";

/** A LlamaCloud region: keys are region-bound, so a key works only against its own region's URL. */
export type Region = keyof typeof REGIONS;

const urls: Record<string, string> = REGIONS;

/**
 * The base URL: the `baseUrl` option, else the `region` option, else `LLAMA_CLOUD_BASE_URL`, else
 * `LLAMA_CLOUD_REGION`, else the spec's default region. Options beat the environment; giving both
 * options is an error, since one of them would be silently ignored.
 */
export function resolveBaseUrl(baseUrl: string | undefined, region: string | undefined): string {
  if (baseUrl !== undefined && region !== undefined) throw new BatchesError("Pass `baseUrl` or `region`, not both.");
  const url = baseUrl ?? urlOf(region) ?? readEnv("LLAMA_CLOUD_BASE_URL") ?? urlOf(readEnv("LLAMA_CLOUD_REGION") ?? DEFAULT_REGION);
  return (url as string).replace(/\/+$/, "");
}

function urlOf(region: string | undefined): string | undefined {
  if (region === undefined) return undefined;
  const url = urls[region.toLowerCase()];
  if (url === undefined) throw new BatchesError(`Unknown region ${JSON.stringify(region)}: use ${Object.keys(urls).join(" or ")}.`);
  return url;
}

/**
 * What a 401 from a region's URL most often means: a key from another region. Undefined for a URL
 * that is no region's (a mock, a proxy), where the hint would mislead.
 */
export function regionHint(baseUrl: string): string | undefined {
  const others = Object.entries(urls).filter(([, url]) => url !== baseUrl);
  if (others.length === Object.keys(urls).length) return undefined;
  return `Keys are region-bound: most often this is a key from the other region, ${others.map(([name, url]) => `${name} (${url})`).join(" or ")}; set \`region\` or LLAMA_CLOUD_REGION`;
}
