/**
 * A value the package keeps in the session as JSON text rather than as an object.
 *
 * express-session parses the whole session, hashes it twice (JSON.stringify) and, with a store
 * that has `touch`, serialises it again, on every request. An object costs each of those passes
 * a walk over every key; one string costs them next to nothing. The package parses the text
 * itself, once per request and only when it needs the value.
 */
export interface JsonField<T> {
  /** The value, or `undefined` when there is none or the text is unreadable (so it is redone). */
  read(holder: object | undefined): T | undefined;
  /** Stores the value as text; it is also what `read` answers for the rest of the request. */
  write(holder: object, value: T): void;
}

/**
 * A {@link JsonField} under `key` of the holder object. The parsed value and the text it came
 * from are kept on the holder under symbols, which JSON (and so every session store) ignores: the
 * holder is a fresh object each time the session is loaded, so the value is parsed once per
 * request and never shared between requests.
 */
export function jsonField<T>(key: string, isValid: (value: unknown) => value is T): JsonField<T> {
  const parsedValue = Symbol(`passport-synergyflow: parsed ${key}`);
  const parsedText = Symbol(`passport-synergyflow: ${key} as parsed`);
  type Holder = Record<string, unknown> & { [parsedValue]?: T | undefined; [parsedText]?: string };
  const parse = (text: string): T | undefined => {
    try {
      const value: unknown = JSON.parse(text);
      return isValid(value) ? value : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    read(holder) {
      const state = holder as Holder | undefined;
      const text = state?.[key];
      if (state === undefined || typeof text !== 'string') return undefined;
      if (state[parsedText] === text) return state[parsedValue];
      state[parsedText] = text;
      return (state[parsedValue] = parse(text));
    },
    write(holder, value) {
      const state = holder as Holder;
      const text = JSON.stringify(value);
      state[key] = text;
      state[parsedText] = text;
      state[parsedValue] = value;
    },
  };
}
