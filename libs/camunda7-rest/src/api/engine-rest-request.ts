import type { Request } from 'express';

import { ENGINE_REST_PATH } from '../camunda-rest.error.js';

/** The API's root on the URL the client used (`http://localhost:8080/engine-rest`): Camunda's links point there. */
export function engineRestUrlOf(request: Request): string {
  return `${request.protocol}://${request.get('host') ?? 'localhost'}/${ENGINE_REST_PATH}`;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON request body as an object (Camunda takes a missing body as `{}`). */
export function bodyObject(body: unknown): Record<string, unknown> {
  return isObject(body) ? body : {};
}
