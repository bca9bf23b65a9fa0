/**
 * A best-known-cost table as `../shared/carp/best-known.tsv` keeps it: tab-separated, a header
 * naming at least the columns `instance` and `best_known_cost`, one instance per line. Returns
 * instance name -> cost, or the first bad line's problem.
 */
export function parseBestKnown(text: string): { costs: Map<string, number> } | { error: string } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split('\t').map((h) => h.trim());
  const nameAt = header.indexOf('instance');
  const costAt = header.indexOf('best_known_cost');
  if (nameAt < 0 || costAt < 0) return { error: 'line 1: the header must name the columns instance and best_known_cost' };
  const costs = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split('\t');
    const name = cells[nameAt]?.trim() ?? '';
    const raw = cells[costAt]?.trim() ?? '';
    if (name === '') return { error: `line ${i + 1}: no instance name` };
    if (!/^\d{1,12}$/.test(raw)) return { error: `line ${i + 1}: best_known_cost '${raw}' is not a non-negative integer` };
    if (costs.has(name)) return { error: `line ${i + 1}: ${name} is listed twice` };
    costs.set(name, Number(raw));
  }
  return { costs };
}
