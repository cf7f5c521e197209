/**
 * GET, parsed; throws on a non-2xx or non-JSON answer (a benchmark error, not a measurement).
 * @param {string} url
 * @param {Record<string, string>} headers
 * @param {string} what names the request in the error message
 * @returns {Promise<{ body: any, text: string }>} the parsed body and its exact text
 */
export async function getJson(url, headers, what) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
  if (!(res.headers.get("content-type") ?? "").startsWith("application/json")) {
    throw new Error(`${what}: content-type ${res.headers.get("content-type")}`);
  }
  return { body: JSON.parse(text), text };
}

/**
 * One GET that never throws: its status, content type and parsed body (undefined if not JSON), or
 * status 0 and the error message when nothing answered.
 * @param {string} url
 * @param {Record<string, string>} headers
 */
export async function probe(url, headers) {
  try {
    const res = await fetch(url, { headers });
    const text = await res.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", body, text };
  } catch (error) {
    return { status: 0, contentType: "", body: undefined, text: "", error: error.message };
  }
}
