/** A failure the CLI reports as one line on stderr (exit 1); `usage` ones also print the usage (exit 2). */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}
