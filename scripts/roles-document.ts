/** Writes docs/roles.md from the one permissions table (identity/permissions.ts): `npm run docs:roles`. */
import fs from 'node:fs';
import path from 'node:path';
import { permissionsMarkdown } from '../identity/permissions';

fs.writeFileSync(path.join(__dirname, '..', 'docs', 'roles.md'), permissionsMarkdown());
