/** Reads an environment variable where one exists (Node, Bun, Deno with --allow-env); never throws. */
export function readEnv(name: string): string | undefined {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    return env?.[name]?.trim() || undefined;
  } catch {
    return undefined;
  }
}
