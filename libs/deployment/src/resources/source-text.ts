/** 1-based line and column of a character offset in a text. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

export function positionAt(text: string, offset: number): TextPosition {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: before.length - lineStart + 1 };
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where the start tag of the element with this `id` attribute begins; undefined when no tag carries it. */
export function positionOfId(xml: string, id: string): TextPosition | undefined {
  const pattern = new RegExp(`<[\\w.:-]+\\s[^>]*?\\bid\\s*=\\s*(["'])${escapeRegExp(id)}\\1`, 'g');
  const match = pattern.exec(xml);
  return match === null ? undefined : positionAt(xml, match.index);
}

/** Where the start tags of elements of a local name (any prefix) begin, and whether each carries an `id`. */
export function startTags(xml: string, localName: string): { readonly position: TextPosition; readonly hasId: boolean }[] {
  const pattern = new RegExp(`<(?:[\\w.-]+:)?${escapeRegExp(localName)}(?=[\\s/>])([^>]*)>`, 'g');
  const tags: { position: TextPosition; hasId: boolean }[] = [];
  for (let match = pattern.exec(xml); match !== null; match = pattern.exec(xml)) {
    tags.push({ position: positionAt(xml, match.index), hasId: /\bid\s*=/.test(match[1] ?? '') });
  }
  return tags;
}

/**
 * moddle reports what it cannot read as `unparsable content <tag> detected\n\tline: 3\n\tcolumn: 4\n\tnested error: ...`,
 * with a 0-based position. At the end of the input the XML parser's position is not the end of the text, so that
 * one is computed.
 */
export function locateModdleMessage(message: string, xml: string): { readonly content: string; readonly detail: string; readonly position: TextPosition } | undefined {
  const match = /^unparsable content ([\s\S]*?) ?detected\s+line: (\d+)\s+column: (\d+)\s+nested error: ([\s\S]*)$/.exec(message);
  if (match === null) return undefined;
  const detail = match[4].trim();
  return {
    content: match[1].trim(),
    detail,
    position: detail === 'unexpected end of file' || detail === 'missing start tag' ? positionAt(xml, xml.length) : { line: Number(match[2]) + 1, column: Number(match[3]) + 1 },
  };
}
