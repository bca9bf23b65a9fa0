import type { TestDataSource } from '../services/judge/testdata.js';
import { Deno } from './runtime.js';

/** TESTDATA_DIR: every `*.dat` instance in the directory becomes a sample dataset named after the file. */
export function testDataFromDir(dir: string): TestDataSource {
  return async () => {
    const files: string[] = [];
    for await (const e of Deno.readDir(dir)) if (e.name.endsWith('.dat')) files.push(e.name);
    files.sort();
    return Promise.all(files.map(async (f) => ({ name: f.slice(0, -'.dat'.length), data: await Deno.readTextFile(`${dir}/${f}`) })));
  };
}
