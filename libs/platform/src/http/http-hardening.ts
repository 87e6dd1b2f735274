import type { INestApplication } from '@nestjs/common';
import helmet from 'helmet';

import type { CorsOrigins } from '../configuration/setting.js';

/**
 * Security headers (helmet) and CORS. The content security policy is helmet's default, which Swagger UI at `/docs`
 * works under (its scripts and styles are files of the same origin; its only inline styles are allowed by helmet's
 * `style-src 'unsafe-inline'`), less `upgrade-insecure-requests`: the server speaks plain HTTP behind whatever
 * terminates TLS, and that directive would send a browser on a plain-HTTP address to https for every asset.
 */
export function applyHttpHardening(app: INestApplication, corsOrigins: CorsOrigins): void {
  app.use(helmet({ contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } } }));
  app.enableCors(corsOptions(corsOrigins));
}

/** `*`: any origin, without credentials; a list: exactly those origins; none (`[]`): no CORS headers at all. */
export function corsOptions(origins: CorsOrigins): { readonly origin: '*' | false | string[] } {
  if (origins === '*') return { origin: '*' };
  return { origin: origins.length === 0 ? false : [...origins] };
}
