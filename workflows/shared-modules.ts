/**
 * The modules every workflow in a worker thread shares (worker/index.ts `sharedWorkflowModules`,
 * Temporal's `preloadModules` with reuseV8Context): the pure domain, with zod. Evaluated per workflow
 * instead, they were most of a cached journey's memory (bench/worker-memory.ts).
 *
 * The SDK deep-freezes shared modules after preloading, so no workflow can leak state into another.
 * zod builds parts of a schema on first use (bound methods, derived internals) by defining properties
 * on the schema, which a frozen schema refuses. So, before the freeze, every schema the domain exports
 * is used once: each member read and a parse of a value it refuses (which builds its error path), so
 * everything it builds lazily exists already. zod also resets `lastIndex` of its patterns before each
 * test, which a frozen RegExp refuses: each RegExp the walk finds is swapped for a stand-in that the
 * freeze passes over (it reports itself frozen) and that forwards to the RegExp, kept unfrozen.
 * Runs once per worker thread, before any workflow. The workflow tests run on the shared modules, so
 * a zod change that mutates shared state again fails them (test/workflow/events.test.ts did).
 */
import * as domain from '../domain';

const visited = new WeakSet<object>();

function isSchema(value: unknown): value is { _zod: object; safeParse(input: unknown): unknown } {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/**
 * A stand-in for `pattern` that Object.isFrozen calls frozen (its target is an empty frozen object),
 * so the SDK's freeze leaves it and the RegExp behind it alone; reads, calls and `lastIndex` writes
 * reach the RegExp.
 */
function unfreezable(pattern: RegExp): RegExp {
  // The target is frozen (so Object.isFrozen says so) with RegExp's prototype (so instanceof holds).
  return new Proxy(Object.freeze(Object.create(RegExp.prototype) as object), {
    get: (_, key) => {
      const value = (pattern as unknown as Record<PropertyKey, unknown>)[key];
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(pattern) : value;
    },
    set: (_, key, value) => {
      (pattern as unknown as Record<PropertyKey, unknown>)[key] = value;
      return true;
    },
    has: (_, key) => key in pattern,
  }) as unknown as RegExp;
}

function swapPatterns(object: object): void {
  if (Object.isFrozen(object)) return;
  for (const key of Reflect.ownKeys(object)) {
    const descriptor = Object.getOwnPropertyDescriptor(object, key);
    if (descriptor && 'value' in descriptor && descriptor.value instanceof RegExp && (descriptor.writable || descriptor.configurable)) {
      if (descriptor.configurable) Object.defineProperty(object, key, { ...descriptor, value: unfreezable(descriptor.value) });
      else (object as Record<PropertyKey, unknown>)[key] = unfreezable(descriptor.value);
    }
  }
}

/** Reads every property along the prototype chain (materialising lazy ones), then follows the values. */
function touch(value: unknown, depth: number): void {
  if (depth > 12 || value === null || (typeof value !== 'object' && typeof value !== 'function') || visited.has(value)) return;
  visited.add(value);
  swapPatterns(value);
  const found: unknown[] = [];
  for (let object: object | null = value; object && object !== Object.prototype && object !== Function.prototype; object = Object.getPrototypeOf(object) as object | null) {
    for (const key of Reflect.ownKeys(object)) {
      if (key === 'caller' || key === 'callee' || key === 'arguments' || key === 'prototype' || key === 'constructor') continue;
      try {
        found.push((value as Record<PropertyKey, unknown>)[key]);
      } catch {
        // A getter that needs a context it lacks here: nothing of it will be used lazily either.
      }
    }
  }
  if (isSchema(value)) {
    for (const input of [undefined, null, {}, [], '', 0, Symbol('none')]) {
      try {
        value.safeParse(input);
      } catch {
        // Only warming up.
      }
    }
  }
  for (const next of found) touch(next, depth + 1);
}

touch(domain, 0);
