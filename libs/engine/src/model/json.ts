/** Values that variables, event payloads and job payloads may hold: they must survive JSON serialisation. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
