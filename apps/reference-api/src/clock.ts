/** What the server stamps `created_at` and `updated_at` with. */
export type Clock = () => string;

/**
 * The wall clock to the microsecond, written as a Python backend writes it (`Z` or `+00:00`), and
 * strictly increasing: two creates inside one microsecond still get distinct, ordered instants, so
 * the list's order among batches created by the API is their order of creation.
 */
export function microsecondClock(utc: "Z" | "+00:00" = "Z"): Clock {
  let last = 0;
  return () => {
    const us = Math.max(Math.floor((performance.timeOrigin + performance.now()) * 1000), last + 1);
    last = us;
    const seconds = Math.floor(us / 1_000_000);
    const fraction = String(us - seconds * 1_000_000).padStart(6, "0");
    return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${fraction}${utc}`;
  };
}
