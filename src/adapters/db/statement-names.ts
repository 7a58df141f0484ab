// The names our prepared statements go by, one per statement text, capped: a text built with a varying number of
// parameters would otherwise add prepared statements without end. Shared by node-postgres (pg-prepared.ts, per pool)
// and PGlite (pglite-client.ts, per client).

/** At most this many distinct statement texts get a name; later ones run unnamed. */
export const MAX_NAMED_STATEMENTS = 500;

export interface StatementNames {
  /** The name for this text, or undefined when it is to run unnamed. */
  nameFor(text: string): string | undefined;
  /** False once the connection path refused a prepared statement: from then on nothing goes named. */
  readonly enabled: boolean;
  /** Stops naming (the connection path cannot keep prepared statements). */
  disable(): void;
}

export function statementNames(max = MAX_NAMED_STATEMENTS): StatementNames {
  const names = new Map<string, string>();
  let enabled = true;
  return {
    nameFor(text) {
      if (!enabled) return undefined;
      let name = names.get(text);
      if (name === undefined && names.size < max) names.set(text, (name = `authgate_${names.size + 1}`));
      return name;
    },
    get enabled() {
      return enabled;
    },
    disable: () => void (enabled = false),
  };
}
