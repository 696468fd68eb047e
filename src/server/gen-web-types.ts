/** `npm run gen:types` (node dist/src/server/gen-web-types.js): writes web/src/api/generated.ts from the server's OpenAPI document. */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../config/config.js';
import { openApiDocument } from './openapi-document.js';
import { generateApiTypes } from './openapi-types.js';

const GENERATED_TYPES = path.join(REPO_ROOT, 'web/src/api/generated.ts');

const text = generateApiTypes(await openApiDocument());
fs.writeFileSync(GENERATED_TYPES, text);
console.log(`wrote ${path.relative(process.cwd(), GENERATED_TYPES)} (${text.split('\n').length} lines)`);
