// Lets Node run the TypeScript sources directly (ESM, decorators with metadata, tsconfig paths)
// through SWC, so `npm start` needs no separate build step.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

register('@swc-node/register/esm', pathToFileURL('./'));
