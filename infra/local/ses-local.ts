import type { AddressInfo } from 'node:net';
import sesEmulator from 'aws-ses-v2-local';
import type { RunningService } from './dynamodb-local';

/** Starts the SES v2 emulator in this process; its web page at `/` shows every mail sent. */
export async function startSesLocal(port: number): Promise<RunningService> {
  // A CommonJS module whose default export lands on `.default` when imported from ESM.
  const start = (sesEmulator as unknown as { default?: typeof sesEmulator }).default ?? sesEmulator;
  const server = await start({ host: '127.0.0.1', port });
  const { port: bound } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
