// dmn-moddle 12 ships no typings: these are the few members the deployment reads. Elements are read as plain
// properties through `get`, so the loose element shape is enough.
declare module 'dmn-moddle' {
  export interface DmnModdleElement {
    readonly $type: string;
    readonly $attrs?: Readonly<Record<string, string>>;
    readonly $parent?: DmnModdleElement;
    $instanceOf(type: string): boolean;
    get(name: string): unknown;
  }

  export interface DmnParseWarning {
    readonly message: string;
    readonly element?: DmnModdleElement;
    readonly property?: string;
    readonly value?: string;
  }

  export interface DmnParseResult {
    readonly rootElement: DmnModdleElement;
    readonly elementsById: Readonly<Record<string, DmnModdleElement>>;
    readonly warnings: readonly DmnParseWarning[];
  }

  /** What `fromXML` rejects with: a not well-formed document, or a root that is not `dmn:definitions`. */
  export interface DmnParseError extends Error {
    readonly warnings?: readonly DmnParseWarning[];
  }

  export class DmnModdle {
    constructor(packages?: Readonly<Record<string, unknown>>, options?: Readonly<Record<string, unknown>>);
    fromXML(xml: string, typeName?: string, options?: Readonly<Record<string, unknown>>): Promise<DmnParseResult>;
  }
}
