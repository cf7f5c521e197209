const LISTENING = /Prism is listening on (http:\/\/\S+)/;
const HTTP_URL = /https?:\/\/[^\s/'"]+/g;

/**
 * Forwards Prism's log lines to `print`, except those that mention the URL Prism itself listens on:
 * an internal loopback port behind the mock's front, which clients must not use. Prism names that
 * URL only once it listens, after its startup lines (which already list it), so those are held
 * until then; `flush` prints what is held when Prism never got that far.
 */
export function prismLogFilter(print: (line: string) => void): { onLog: (line: string) => void; flush: () => void } {
  let internal: string | undefined;
  let held: string[] = [];
  const mentionsInternal = (line: string) => (line.match(HTTP_URL) ?? []).some((url) => origin(url) === internal);
  return {
    onLog(line) {
      if (internal === undefined) {
        const listening = LISTENING.exec(line)?.[1];
        if (listening === undefined) {
          held.push(line);
          return;
        }
        internal = origin(listening);
        const before = held;
        held = [];
        for (const l of before) if (!mentionsInternal(l)) print(l);
      }
      if (!mentionsInternal(line)) print(line);
    },
    flush() {
      for (const l of held) print(l);
      held = [];
    },
  };
}

function origin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
