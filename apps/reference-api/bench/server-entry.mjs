// A server under test in its own process, for the throughput and load benchmarks (started by
// bench-kit's startProcess, which also stops it). `node bench/server-entry.mjs <kind>`:
//
//   reference   startReferenceApi({ port: 0, ...input }) from @llama-batches/reference-api; prints
//               { url, apiKey, projectApiKey, organizationId }: apiKey is the first organization-wide
//               key, projectApiKey a project key of the same organization.
//   mock        startMock({ port: 0, ...input }) from @llama-batches/mock: the front and, as its child,
//               Prism; the tail of Prism's log goes to stderr when it stops.

import { runServerEntry } from "@llama-batches/bench-kit/process";

const kind = process.argv[2];

if (kind === "reference") {
  const { startReferenceApi } = await import("@llama-batches/reference-api");
  runServerEntry(async (input) => {
    const api = await startReferenceApi({ port: 0, ...input });
    const orgKey = api.apiKeys.find((k) => k.project_id === null);
    if (!orgKey) throw new Error("the dataset has no organization-wide API key");
    const projectKey = api.apiKeys.find((k) => k.organization_id === orgKey.organization_id && k.project_id !== null);
    return {
      url: api.url,
      info: { apiKey: orgKey.key, projectApiKey: projectKey?.key, organizationId: orgKey.organization_id },
      stop: () => api.stop(),
    };
  });
} else if (kind === "mock") {
  const { startMock } = await import("@llama-batches/mock");
  const tail = [];
  runServerEntry(async (input) => {
    const mock = await startMock({
      port: 0,
      ...input,
      onLog: (line) => {
        tail.push(line);
        if (tail.length > 20) tail.shift();
      },
    });
    return {
      url: mock.url,
      stop: async () => {
        await mock.stop();
        for (const line of tail) process.stderr.write(`prism: ${line}\n`);
      },
    };
  });
} else {
  process.stderr.write(`usage: node bench/server-entry.mjs reference|mock (got ${kind})\n`);
  process.exit(2);
}
