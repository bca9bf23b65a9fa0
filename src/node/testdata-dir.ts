import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { TestDataSource } from '../services/judge/testdata.js';

/** TESTDATA_DIR: every `*.dat` instance in the directory becomes a sample dataset named after the file. */
export function testDataFromDir(dir: string): TestDataSource {
  return async () => {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.dat')).sort();
    return Promise.all(files.map(async (f) => ({ name: basename(f, '.dat'), data: await readFile(join(dir, f), 'utf8') })));
  };
}
