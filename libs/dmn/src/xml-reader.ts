// A small XML reader for DMN files. DMN models are plain XML (elements, attributes, text, CDATA, comments); this
// reader keeps the line of every element so that problems can name where they are, and reports what is not
// well-formed instead of guessing. Namespace prefixes are dropped (DMN 1.1 to 1.5 use the same local names).

export interface XmlElement {
  /** Local name, without the namespace prefix. */
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
  /** 1-based line of the start tag. */
  readonly line: number;
}

export interface XmlProblem {
  readonly message: string;
  readonly line: number;
}

export type XmlReadResult = { readonly ok: true; readonly root: XmlElement } | { readonly ok: false; readonly problems: XmlProblem[] };

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export const decodeEntities = (text: string): string =>
  text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (all, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? all;
  });

export const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

const TOKEN =
  /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<!DOCTYPE[^>]*>|<\/([^>\s]+)\s*>|<([^\s/>]+)((?:\s+[^\s=]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)|(<)/g;

/** Reads an XML document; every problem found is listed, with its line. */
export function readXml(xml: string): XmlReadResult {
  const root: XmlElement = { name: '#root', attributes: {}, children: [], text: '', line: 0 };
  const stack: { element: XmlElement; qualifiedName: string }[] = [{ element: root, qualifiedName: '#root' }];
  const problems: XmlProblem[] = [];
  let line = 1;
  let counted = 0;
  const lineAt = (index: number): number => {
    for (let i = counted; i < index; i++) if (xml.charCodeAt(i) === 10) line++;
    counted = Math.max(counted, index);
    return line;
  };
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(xml); match; match = TOKEN.exec(xml)) {
    const at = lineAt(match.index);
    const top = stack[stack.length - 1];
    if (match[1] !== undefined) top.element.text += match[1];
    else if (match[2] !== undefined) {
      if (stack.length === 1 || top.qualifiedName !== match[2]) {
        problems.push({ message: `closing tag </${match[2]}> does not match <${top.qualifiedName}>`, line: at });
        if (problems.length > 20) break;
      }
      if (stack.length > 1) stack.pop();
    } else if (match[3] !== undefined) {
      const attributes: Record<string, string> = {};
      for (const a of match[4].matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attributes[a[1]] = decodeEntities(a[2] ?? a[3]);
      const element: XmlElement = { name: localName(match[3]), attributes, children: [], text: '', line: at };
      if (stack.length === 1 && root.children.length > 0) problems.push({ message: `a second root element <${match[3]}>`, line: at });
      top.element.children.push(element);
      if (!match[5]) stack.push({ element, qualifiedName: match[3] });
    } else if (match[6] !== undefined) {
      if (stack.length === 1 && match[6].trim()) problems.push({ message: 'text outside the root element', line: at });
      top.element.text += decodeEntities(match[6]);
    } else if (match[7] !== undefined) {
      problems.push({ message: 'a "<" that starts no well-formed tag', line: at });
      top.element.text += '<';
    }
  }
  for (const open of stack.slice(1).reverse()) problems.push({ message: `<${open.qualifiedName}> is not closed`, line: open.element.line });
  if (root.children.length === 0) problems.push({ message: 'no root element', line: 1 });
  return problems.length ? { ok: false, problems } : { ok: true, root: root.children[0] };
}

export const child = (e: XmlElement | undefined, name: string): XmlElement | undefined => e?.children.find((c) => c.name === name);

export const childrenNamed = (e: XmlElement | undefined, name: string): XmlElement[] => e?.children.filter((c) => c.name === name) ?? [];

/** An attribute by local name (`xsi:type` is found as `type` when no unprefixed `type` exists). */
export const attr = (e: XmlElement | undefined, name: string): string | undefined =>
  e === undefined ? undefined : (e.attributes[name] ?? Object.entries(e.attributes).find(([k]) => localName(k) === name)?.[1]);

/** The text of a `<text>` child (literal expressions, table cells), as written. */
export const textOf = (e: XmlElement | undefined): string | undefined => child(e, 'text')?.text;
