import type { NextFunction, Request, Response } from 'express';

const JSON_WITH_CHARSET = /^(application\/(?:[\w.-]+\+)?json)\s*;\s*charset=utf-8$/i;

/**
 * JSON responses go out as `application/json` exactly: Express appends `; charset=utf-8` to every
 * string body, and the Camunda external-task client ignores responses whose type is not exactly
 * `application/json`. UTF-8 is JSON's only encoding anyway (RFC 8259), so nothing is lost.
 */
export function exactJsonContentType(_request: Request, response: Response, next: NextFunction): void {
  const setHeader = response.setHeader;
  response.setHeader = function setHeaderWithoutJsonCharset(this: Response, name: string, value: number | string | readonly string[]) {
    const exact = typeof value === 'string' && name.toLowerCase() === 'content-type' ? value.replace(JSON_WITH_CHARSET, '$1') : value;
    return setHeader.call(this, name, exact);
  } as Response['setHeader'];
  next();
}
