/** The Catch result of the state that failed: `{ Error, Cause }`. */
export interface StepFailure {
  Error?: string;
  Cause?: string;
}

/** "Error: message". Lambda errors arrive as a JSON Cause with errorMessage; task failures carry plain text. */
export function describeFailure(failure: StepFailure | undefined): string | undefined {
  if (!failure?.Error && !failure?.Cause) return undefined;
  let cause = failure.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage) cause = parsed.errorMessage;
  } catch {
    // plain-text cause
  }
  return [failure.Error, cause].filter(Boolean).join(': ');
}
