/** Times of the training API, kept as microseconds since the epoch (UTC), as Python's datetimes. */

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function parts(us: number) {
  const ms = Math.floor(us / 1000);
  const d = new Date(ms);
  const micro = ((us % 1_000_000) + 1_000_000) % 1_000_000;
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return { date, time, fraction: micro === 0 ? '' : `.${pad(micro, 6)}` };
}

/** Python's `str(datetime)` of an aware UTC datetime: `2023-08-17 17:50:09.378486+00:00` (no fraction when 0). */
export function pyStr(us: number): string {
  const p = parts(us);
  return `${p.date} ${p.time}${p.fraction}+00:00`;
}

/** Python's `datetime.isoformat()`, which pydantic (v1) wrote in FastAPI's JSON: `2023-08-17T17:50:09.378486+00:00`. */
export function pyIso(us: number): string {
  const p = parts(us);
  return `${p.date}T${p.time}${p.fraction}+00:00`;
}
