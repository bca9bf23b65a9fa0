import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchemaText } from './printed.js';

/** `npm run schema:print`: rewrites schema/schema.graphql from the Pothos code. */
writeFileSync(fileURLToPath(new URL('./schema.graphql', import.meta.url)), printSchemaText());
console.log('schema/schema.graphql written');
