// @llama-batches/bench-kit: what every benchmark of the workspace shares. Imports no workspace
// package (benchmarks depend on it, never the other way round).
//
//   harness.mjs      compareRates, median, printTable, fmt, verdict, times, mb, envNumber, runBench
//   autocannon.mjs   runAutocannon, compareThroughput, summarizeRounds, pairedRatio, acMs, cpuPercent
//   process.mjs      startProcess / runServerEntry (a server in its own child process), stopAllProcesses,
//                    rssOf, peakRssOf, rssOfTree, cpuTimeOfTree (Linux /proc)
//   bare-server.mjs  startBareServer (in process), spawnBareServer (own process): the node:http baseline
//   latency.mjs      measureLatency (sequential, from a worker thread), quantile
//   http.mjs         getJson (throws unless 2xx JSON), probe (never throws)

export { acMs, compareThroughput, cpuPercent, pairedRatio, runAutocannon, summarizeRounds } from "./autocannon.mjs";
export { spawnBareServer, startBareServer } from "./bare-server.mjs";
export { compareRates, envNumber, fmt, mb, median, printTable, runBench, times, verdict } from "./harness.mjs";
export { getJson, probe } from "./http.mjs";
export { measureLatency, quantile } from "./latency.mjs";
export { cpuTimeOfTree, peakRssOf, rssOf, rssOfTree, runServerEntry, startProcess, stopAllProcesses } from "./process.mjs";
