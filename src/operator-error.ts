/**
 * A failure the operator can act on: its message is one line saying what is wrong and what
 * to do. Top-level code prints it without a stack trace.
 */
export class OperatorError extends Error {
  override name = "OperatorError";
}

/** The one line a process prints for an error that ends it: never a stack, never many lines. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n").find((line) => line.trim() !== "") ?? String(error);
}

/** Prints the error's one line on stderr, prefixed with the command, and sets exit code 1. */
export function reportFailure(command: string, error: unknown): void {
  console.error(`${command}: ${oneLine(error)}`);
  process.exitCode = 1;
}
