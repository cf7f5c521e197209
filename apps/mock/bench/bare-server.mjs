import { createServer } from "node:http";

/**
 * The baseline: a bare `node:http` server on loopback answering GET /api/v2/batches with a canned
 * JSON body (anything else is a 404). Same `{ url, stop() }` shape as `startMock`.
 * @param {unknown} page the JSON value to answer with
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export function startBareServer(page) {
  const body = Buffer.from(JSON.stringify(page));
  const headers = { "content-type": "application/json", "content-length": String(body.length) };
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url?.split("?")[0] === "/api/v2/batches") {
      res.writeHead(200, headers);
      res.end(body);
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end('{"detail":"Not Found"}');
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
      let stopping;
      const stop = () => {
        stopping ??= new Promise((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
        return stopping;
      };
      resolve({ url: `http://127.0.0.1:${port}`, stop });
    });
  });
}
