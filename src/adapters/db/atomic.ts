import { sql, type SQL } from 'drizzle-orm';
import { StoreUnavailableError, WriteConflictError } from '../../core/errors';
import type { AtomicDatabase, Step, StepOptions } from '../../core/ports';
import { queryRows, type Db, type Row } from './rows';
import { isUniqueViolation } from './unique-violation';
import { isUnavailable } from './unavailable';

/** A step as the adapters build it: one statement, how to read its rows, and how a later step asks "did it apply?". */
export interface SqlStep<T> extends Step<T> {
  statement: SQL;
  decode(rows: Row[]): T;
  /**
   * A condition, true in a later statement of the same transaction exactly when this step wrote its row. Only ever
   * evaluated inside the batch, so it sees the step's own uncommitted writes.
   */
  applied: SQL;
}

export function sqlStep<T>(statement: SQL, decode: (rows: Row[]) => T, applied: SQL): SqlStep<T> {
  return { statement, decode, applied };
}

/** Runs one step on its own (the repositories' single-statement operations are the same statements). */
export async function runStep<T>(db: Db, step: SqlStep<T>): Promise<T> {
  return step.decode(await queryRows(db, step.statement));
}

/** The condition a `when` option stands for: the earlier step's `applied`, or always. */
export function whenApplied(options: StepOptions | undefined): SQL {
  return options?.when ? (options.when as SqlStep<unknown>).applied : sql`true`;
}

/**
 * True for a row version written by the current transaction: its xmin is this transaction's id (the low 32 bits of
 * txid_current()). A row another transaction wrote, or one this transaction only locked, keeps a different xmin.
 * It tells "this step updated the row" from "the row exists" where no fresh id marks the write (an update). It cannot
 * tell two steps that write the same row apart, so a batch conditions on such a step only where every earlier write
 * of that row makes this one certain (the TOTP claim before MFA off, under the same row lock).
 */
export function writtenHere(alias: string): SQL {
  return sql`${sql.raw(alias)}.xmin::text = (txid_current() % 4294967296)::text`;
}

/** Runs the statements of one batch in one transaction; the rows of each, in order. */
export type BatchRunner = (statements: readonly SQL[]) => Promise<Row[][]>;

/** PostgreSQL and PGlite: an interactive transaction that runs the statements one after the other. */
export function transactionRunner(db: Db): BatchRunner {
  return (statements) =>
    db.transaction(async (tx) => {
      const results: Row[][] = [];
      for (const statement of statements) results.push(await queryRows(tx as unknown as Db, statement));
      return results;
    });
}

/** The atomic operation of the port over one runner, with the port's error vocabulary. */
export function atomicOperation(run: BatchRunner, writes: Parameters<Parameters<AtomicDatabase['atomic']>[0]>[0]): AtomicDatabase['atomic'] {
  return async (build) => {
    const steps = build(writes) as unknown as readonly SqlStep<unknown>[];
    let results: Row[][];
    try {
      results = await run(steps.map((step) => step.statement));
    } catch (error) {
      if (isUnavailable(error)) throw new StoreUnavailableError('database', error);
      if (isUniqueViolation(error)) throw new WriteConflictError(error);
      throw error;
    }
    return steps.map((step, index) => step.decode(results[index] ?? [])) as never;
  };
}
