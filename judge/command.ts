/**
 * The solver command: a template with {instance}, {time} and {seed}, split on whitespace into
 * argv (no shell). Default: the CARP course's `python3 CARP_solver.py <instance> -t <time> -s <seed>`.
 */
export const DEFAULT_SOLVER_COMMAND = 'python3 CARP_solver.py {instance} -t {time} -s {seed}';

export function solverArgv(template: string, values: { instance: string; time: number; seed: number }): string[] {
  const argv = template
    .trim()
    .split(/\s+/)
    .map((part) => part.replace(/\{(instance|time|seed)\}/g, (_m, key: 'instance' | 'time' | 'seed') => String(values[key])));
  if (argv.length === 0 || argv[0] === '') throw new Error('empty solver command');
  return argv;
}
