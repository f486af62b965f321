/**
 * An error in what the user typed: the command line prints it with the usage.
 */
export class UsageError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
