/**
 * Small helpers for the untyped document the loader assembles (YAML + env + overrides) before
 * validation, and for freezing the validated result.
 */

/** A mutable JSON-like object. */
export type PlainObject = Record<string, unknown>;

/** True for `{}`-style objects (not arrays, class instances, or null). */
export function isPlainObject(value: unknown): value is PlainObject {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The value at `path`, or undefined when any step is missing or not a plain object. */
export function getPath(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/**
 * Sets `path` to `value`, creating missing intermediate objects. Returns false (and leaves the
 * document alone) when an intermediate key holds a non-object, which the schema will report.
 */
export function setPath(root: PlainObject, path: readonly string[], value: unknown): boolean {
  let node = root;
  for (const key of path.slice(0, -1)) {
    if (node[key] === undefined) node[key] = {};
    const next = node[key];
    if (!isPlainObject(next)) return false;
    node = next;
  }
  node[path[path.length - 1] as string] = value;
  return true;
}

/** Copies plain objects and arrays; other values (class instances, functions) are shared. */
export function cloneDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => cloneDeep(v)) as T;
  if (!isPlainObject(value)) return value;
  const copy: PlainObject = {};
  for (const [key, v] of Object.entries(value)) copy[key] = cloneDeep(v);
  return copy as T;
}

/**
 * Merges `source` into `target` in place: plain objects merge key by key, anything else (including
 * arrays) replaces. `undefined` in `source` leaves the target value alone.
 */
export function deepMerge(target: PlainObject, source: PlainObject): PlainObject {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const existing = target[key];
    if (isPlainObject(existing) && isPlainObject(value)) deepMerge(existing, value);
    else target[key] = cloneDeep(value);
  }
  return target;
}

/** Freezes plain objects and arrays recursively; other values are left as they are. */
export function deepFreeze<T>(value: T): T {
  if (Array.isArray(value) || isPlainObject(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
