/** A 1-based place in the XML text. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Where each `id` attribute sits in the XML. moddle forgets positions once it has built its tree, so the compiler
 * scans the text once to give element errors a line and column. The scan skips comments, CDATA sections,
 * processing instructions and declarations, and reads attribute values quote-aware, so text that merely looks
 * like `id="..."` is not taken for an attribute.
 */
export class SourcePositions {
  private readonly lineStarts: number[] = [0];
  /** First start tag carrying each id, by id. */
  private readonly tagOffsetById = new Map<string, number>();
  /** Ids of start tags, by the position of their `<` (`line:column`), to name elements moddle reports by position. */
  private readonly idByTagPosition = new Map<string, string>();

  constructor(private readonly xml: string) {
    for (let index = xml.indexOf('\n'); index !== -1; index = xml.indexOf('\n', index + 1)) {
      this.lineStarts.push(index + 1);
    }
    this.scanTags();
  }

  /** Where the start tag of the element with this id begins. */
  ofId(id: string): SourcePosition | undefined {
    const offset = this.tagOffsetById.get(id);
    return offset === undefined ? undefined : this.at(offset);
  }

  /** The id of the element whose start tag begins at this position, if it has one. */
  idAt(position: SourcePosition): string | undefined {
    return this.idByTagPosition.get(`${position.line}:${position.column}`);
  }

  /** Just past the last character. */
  end(): SourcePosition {
    return this.at(this.xml.length);
  }

  at(offset: number): SourcePosition {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low] + 1 };
  }

  private scanTags(): void {
    const xml = this.xml;
    let index = xml.indexOf('<');
    while (index !== -1 && index < xml.length) {
      if (xml.startsWith('<!--', index)) {
        index = this.after('-->', index + 4);
      } else if (xml.startsWith('<![CDATA[', index)) {
        index = this.after(']]>', index + 9);
      } else if (xml.startsWith('<?', index)) {
        index = this.after('?>', index + 2);
      } else if (xml.startsWith('<!', index) || xml.startsWith('</', index)) {
        index = this.after('>', index + 2);
      } else {
        index = this.scanStartTag(index);
      }
      if (index === -1) return;
      index = xml.indexOf('<', index);
    }
  }

  /** Reads one start tag's attributes; returns the offset after it. */
  private scanStartTag(tagStart: number): number {
    const xml = this.xml;
    const attribute = /\s*([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')|\s*(\/?>)|\s*([^\s]+)/y;
    let index = tagStart + 1;
    while (index < xml.length && !/[\s/>]/.test(xml[index])) index++;
    attribute.lastIndex = index;
    for (;;) {
      const match = attribute.exec(xml);
      if (match === null) return -1;
      if (match[4] !== undefined) return attribute.lastIndex;
      if (match[5] !== undefined) return attribute.lastIndex; // not an attribute: malformed, moddle reports it
      if (match[1] === 'id') this.record(decodeEntities(match[2] ?? match[3]), tagStart);
    }
  }

  private record(id: string, tagStart: number): void {
    if (!this.tagOffsetById.has(id)) this.tagOffsetById.set(id, tagStart);
    const position = this.at(tagStart);
    this.idByTagPosition.set(`${position.line}:${position.column}`, id);
  }

  private after(terminator: string, from: number): number {
    const end = this.xml.indexOf(terminator, from);
    return end === -1 ? -1 : end + terminator.length;
  }
}

const entities: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return entities[entity];
  });
}
