/** A small client for the admin API: the CLI's only way in, so it works the same locally and deployed. */
export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
  ) {}

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(
      method,
      path,
      body === undefined ? undefined : JSON.stringify(body),
      'application/json',
    );
    return (await response.json()) as T;
  }

  async csv(path: string): Promise<{ text: string; next?: string }> {
    const response = await this.send('GET', path);
    return {
      text: await response.text(),
      ...(response.headers.get('x-next-cursor')
        ? { next: response.headers.get('x-next-cursor') as string }
        : {}),
    };
  }

  async postCsv<T>(path: string, csv: string): Promise<T> {
    return (await (await this.send('POST', path, csv, 'text/csv')).json()) as T;
  }

  private async send(method: string, path: string, body?: string, contentType?: string): Promise<Response> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(contentType ? { 'content-type': contentType } : {}),
      },
      ...(body !== undefined ? { body } : {}),
    });
    if (!response.ok) {
      const text = await response.text();
      let message = text;
      try {
        const parsed = JSON.parse(text) as {
          error?: { message?: string; details?: Array<{ path: string; message: string }> };
        };
        const details = parsed.error?.details?.map((d) => `${d.path}: ${d.message}`).join('; ');
        message = [parsed.error?.message, details].filter(Boolean).join(' - ');
      } catch {
        // not JSON: keep the text
      }
      throw new CliError(`${method} ${path} failed (${response.status}): ${message}`);
    }
    return response;
  }
}

/** An error meant for the person at the terminal: printed as one line, exit code 1. */
export class CliError extends Error {}
