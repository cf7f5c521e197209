// Ships the spec inside the package, so that startMock() works in a downstream repo's node_modules.
import { cpSync } from "node:fs";

cpSync(new URL("../../../spec", import.meta.url), new URL("../dist/spec", import.meta.url), { recursive: true });
