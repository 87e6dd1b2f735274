// bpmn-moddle 10 ships typings for its generated model types only, not for its entry point: these are the few
// members the compiler uses. Elements are read through `get`, so the loose element shape is enough.
declare module 'bpmn-moddle' {
  export interface ModdleDescriptor {
    readonly name: string;
    readonly isGeneric?: boolean;
    readonly ns: { readonly prefix: string; readonly localName: string; readonly name?: string; readonly uri?: string };
  }

  export interface ModdleElement {
    readonly $type: string;
    readonly $attrs?: Readonly<Record<string, string>>;
    readonly $parent?: ModdleElement;
    readonly $descriptor: ModdleDescriptor;
    readonly $body?: string;
    readonly $children?: readonly ModdleElement[];
    $instanceOf(type: string): boolean;
    get(name: string): unknown;
  }

  export interface ParseWarning {
    readonly message: string;
    readonly element?: ModdleElement;
    readonly property?: string;
    readonly value?: string;
    readonly error?: Error;
  }

  export interface ParseResult {
    readonly rootElement: ModdleElement;
    readonly elementsById: Readonly<Record<string, ModdleElement>>;
    readonly warnings: readonly ParseWarning[];
  }

  /** What `fromXML` rejects with: a not well-formed document, or a root that is not `bpmn:definitions`. */
  export interface ParseError extends Error {
    readonly warnings?: readonly ParseWarning[];
  }

  export interface PropertyDefinition {
    readonly name: string;
    readonly type?: string;
    readonly redefines?: string;
    readonly [key: string]: unknown;
  }

  export interface TypeDefinition {
    readonly name: string;
    readonly superClass?: readonly string[];
    readonly extends?: readonly string[];
    readonly properties?: readonly PropertyDefinition[];
    readonly [key: string]: unknown;
  }

  export interface PackageDefinition {
    readonly name: string;
    readonly prefix: string;
    readonly uri: string;
    readonly types: readonly TypeDefinition[];
    readonly [key: string]: unknown;
  }

  export class BpmnModdle {
    constructor(packages?: Readonly<Record<string, PackageDefinition>>, options?: Readonly<Record<string, unknown>>);
    fromXML(xml: string, options?: Readonly<Record<string, unknown>>): Promise<ParseResult>;
    /** Builds the effective descriptor of a type: throws when two packages define the same property. */
    getType(name: string): unknown;
    getPackage(prefixOrUri: string): PackageDefinition | undefined;
  }
}
