// Child entry of spawnBareServer: input `{ body, path }`, prints `{ url }` once it listens.
import { startBareServer } from "./bare-server.mjs";
import { runServerEntry } from "./process.mjs";

runServerEntry(({ body, path }) => startBareServer(body, { path }));
