/**
 * SQLSTATE 23505 anywhere in the cause chain (drizzle wraps the driver's error; node-postgres, PGlite and Neon all
 * carry the code): a concurrent writer took the unique key first.
 */
export function isUniqueViolation(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  return code === '23505' || isUniqueViolation(cause, depth + 1);
}

/** Runs a write; a unique violation means "someone else got there first", answered as null. */
export async function nullOnUniqueViolation<T>(write: () => Promise<T>): Promise<T | null> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}
