interface Registered<T> {
  readonly definition: T;
  readonly sha256: string;
  readonly content: string;
  readonly deployedAt: string;
}

/**
 * Definitions versioned per key (a decision id, a form id), with the content of the resource each came from and
 * its hash: a deployment compares the latest version's hash to decide whether content is new.
 */
export class VersionedDefinitions<T extends { readonly id: string; readonly version: number }> {
  private readonly byId = new Map<string, Registered<T>>();
  private readonly latestByKey = new Map<string, Registered<T>>();

  constructor(private readonly keyOf: (definition: T) => string) {}

  /** Adds a definition unless its id is known (a duplicate deployment lists the definition it kept). */
  add(definition: T, sha256: string, content: string, deployedAt: string): void {
    if (this.byId.has(definition.id)) return;
    const registered = { definition, sha256, content, deployedAt };
    this.byId.set(definition.id, registered);
    const key = this.keyOf(definition);
    const latest = this.latestByKey.get(key);
    if (!latest || latest.definition.version < definition.version) this.latestByKey.set(key, registered);
  }

  clear(): void {
    this.byId.clear();
    this.latestByKey.clear();
  }

  get size(): number {
    return this.byId.size;
  }

  /** Ordered by key, then version. */
  list(filter: { readonly key?: string; readonly latest?: boolean } = {}): T[] {
    const source = filter.latest ? this.latestByKey.values() : this.byId.values();
    return [...source]
      .map((registered) => registered.definition)
      .filter((definition) => filter.key === undefined || this.keyOf(definition) === filter.key)
      .sort((a, b) => {
        const [keyA, keyB] = [this.keyOf(a), this.keyOf(b)];
        return keyA === keyB ? a.version - b.version : keyA < keyB ? -1 : 1;
      });
  }

  get(id: string): T | undefined {
    return this.byId.get(id)?.definition;
  }

  content(id: string): string | undefined {
    return this.byId.get(id)?.content;
  }

  /** When the deployment that introduced the definition was made. */
  deployedAt(id: string): string | undefined {
    return this.byId.get(id)?.deployedAt;
  }

  latest(key: string): T | undefined {
    return this.latestByKey.get(key)?.definition;
  }

  latestSha256(key: string): string | undefined {
    return this.latestByKey.get(key)?.sha256;
  }
}
