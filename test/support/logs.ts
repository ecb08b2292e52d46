import { vi } from 'vitest';

/**
 * Every line the process logs from now on (the local stack runs the handlers in this process), still
 * printed as before: what a test checks no secret ever reaches. `vi.restoreAllMocks()` stops it.
 */
export function captureLogs(): string[] {
  const logged: string[] = [];
  for (const method of ['log', 'error', 'warn', 'info'] as const) {
    const original = console[method];
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
      original(...args);
    });
  }
  return logged;
}
