// Captures console.log for generator specs: what a generator tells the user, as one text.
export interface CapturedLog {
  /** Everything logged so far, one call a line. */
  text(): string;
  restore(): void;
}

export function captureLog(): CapturedLog {
  const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  return { text: () => spy.mock.calls.map((c) => String(c[0])).join('\n'), restore: () => spy.mockRestore() };
}
