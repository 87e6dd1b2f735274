/** A JSON value, as it crosses a process boundary. Structurally the same as the engine's, which contracts may not import. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
