import type { Express, Response } from 'express';

const JSON_WITH_CHARSET = /^(application\/(?:[\w.-]+\+)?json)\s*;\s*charset=utf-8$/i;

type SetHeader = Response['setHeader'];

function withoutJsonCharset(setHeader: SetHeader): SetHeader {
  return function setHeaderWithoutJsonCharset(this: Response, name: string, value: number | string | readonly string[]) {
    const exact = typeof value === 'string' && name.toLowerCase() === 'content-type' ? value.replace(JSON_WITH_CHARSET, '$1') : value;
    return setHeader.call(this, name, exact);
  } as SetHeader;
}

/**
 * JSON responses of `app` go out as `application/json` exactly: Express appends `; charset=utf-8` to every string
 * body, and the Camunda external-task client ignores responses whose type is not exactly `application/json`. UTF-8 is
 * JSON's only encoding anyway (RFC 8259), so nothing is lost. Set once on the prototype Express gives every response
 * of `app`: no function made and no middleware passed per request.
 */
export function answerJsonExactly(app: Express): void {
  app.response.setHeader = withoutJsonCharset(app.response.setHeader);
}
