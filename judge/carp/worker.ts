// Piscina worker: verdicts with a per-thread cache of parsed instance + shortest paths, so each
// dataset's paths are computed once per thread.

import { prepareInstance, verdictFor, type PreparedInstance, type RunResult, type Verdict } from '../../src/carp/verdict.js';

export interface CheckTask {
  datasetKey: string;
  instanceText: string;
  run: RunResult;
}

export interface CheckTaskResult {
  verdict: Verdict;
  /** Whether this call computed the instance's paths, took them from the cache, or did not need
   *  them (a pre-check failed first). */
  paths: 'computed' | 'cached' | 'unused';
}

interface Entry {
  text: string;
  prepared: PreparedInstance;
}

// Keyed by the caller's datasetKey; the stored text is compared in full on every hit, so an
// edited dataset under the same key is never judged with stale paths (cheaper than hashing).
const cache = new Map<string, Entry>();
// EGL-G sized entries are ~0.5 MB (255^2 float64); bound the cache per thread.
const MAX_ENTRIES = 64;

export default function check(task: CheckTask): CheckTaskResult {
  let paths: CheckTaskResult['paths'] = 'unused';
  const get = (): PreparedInstance => {
    const hit = cache.get(task.datasetKey);
    if (hit && hit.text === task.instanceText) {
      paths = 'cached';
      // refresh LRU position
      cache.delete(task.datasetKey);
      cache.set(task.datasetKey, hit);
      return hit.prepared;
    }
    paths = 'computed';
    const prepared = prepareInstance(task.instanceText); // a throw here is an ERROR verdict
    cache.delete(task.datasetKey);
    cache.set(task.datasetKey, { text: task.instanceText, prepared });
    if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    return prepared;
  };
  const verdict = verdictFor(get, task.run);
  return { verdict, paths };
}
