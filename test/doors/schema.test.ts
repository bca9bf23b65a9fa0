import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printSchemaText } from '../../schema/printed.js';

describe('schema/schema.graphql', () => {
  it('is the printed Pothos schema (run `npm run schema:print` after changing schema/)', () => {
    const committed = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printSchemaText());
  });

  it('holds the operations the judge issue names', () => {
    const sdl = printSchemaText();
    for (const field of [
      'me: User',
      'datasets: [Dataset!]!',
      'cases(page: Int = 0, size: Int = 20)',
      'case(id: ID!)',
      'leaderboard(datasetId: ID!)',
      'remain: Remain!',
      'login(',
      'submit(',
      'addDataset(',
      'addUser(',
    ]) {
      expect(sdl).toContain(field);
    }
  });
});
