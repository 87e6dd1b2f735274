/**
 * Where JSON text first goes wrong, as an offset: `JSON.parse` says what is wrong but, for many errors, not where
 * (Node 20 prints an excerpt instead of a position). Called only for text `JSON.parse` refused.
 */
export function jsonErrorOffset(text: string): number {
  let at = 0;
  const fail = (): never => {
    throw at;
  };
  const space = (): void => {
    while (at < text.length && ' \t\n\r'.includes(text.charAt(at))) at++;
  };
  const literal = (word: string): void => {
    for (const char of word) {
      if (text.charAt(at) !== char) fail();
      at++;
    }
  };
  const string = (): void => {
    if (text.charAt(at) !== '"') fail();
    at++;
    while (at < text.length) {
      const char = text.charAt(at);
      if (char === '"') {
        at++;
        return;
      }
      if (char < ' ') fail();
      if (char === '\\') {
        at++;
        const escaped = text.charAt(at);
        if (escaped === 'u') {
          for (let digit = 1; digit <= 4; digit++) if (!/[0-9a-fA-F]/.test(text.charAt(at + digit))) fail();
          at += 4;
        } else if (!'"\\/bfnrt'.includes(escaped) || escaped === '') fail();
      }
      at++;
    }
    fail();
  };
  const number = (): void => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(at));
    if (match === null) fail();
    at += (match as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    space();
    const char = text.charAt(at);
    if (char === '{') {
      at++;
      space();
      if (text.charAt(at) === '}') {
        at++;
        return;
      }
      for (;;) {
        space();
        string();
        space();
        if (text.charAt(at) !== ':') fail();
        at++;
        value();
        space();
        if (text.charAt(at) === ',') {
          at++;
          continue;
        }
        if (text.charAt(at) === '}') {
          at++;
          return;
        }
        fail();
      }
    } else if (char === '[') {
      at++;
      space();
      if (text.charAt(at) === ']') {
        at++;
        return;
      }
      for (;;) {
        value();
        space();
        if (text.charAt(at) === ',') {
          at++;
          continue;
        }
        if (text.charAt(at) === ']') {
          at++;
          return;
        }
        fail();
      }
    } else if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else number();
  };
  try {
    value();
    space();
    return at < text.length ? at : text.length;
  } catch (offset) {
    return typeof offset === 'number' ? offset : text.length;
  }
}
