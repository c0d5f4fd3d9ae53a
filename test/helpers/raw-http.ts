import { request, type IncomingHttpHeaders } from 'node:http';

/**
 * Opens a GET on a real socket from a chosen local address (e.g. 127.0.0.2, so one machine can
 * stand for several clients) and resolves with the status, headers and first body text.
 */
export async function getFrom(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, headers, agent: false }, (res) => {
      res.setEncoding('utf8');
      let body = '';
      res.once('data', (chunk: string) => {
        body += chunk;
        resolve({ status: res.statusCode ?? 0, body, close: () => req.destroy() });
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body, close: () => req.destroy() }));
    });
    req.once('error', reject);
    req.end();
  });
}

/**
 * A GET whose body comes back as the bytes on the wire: unlike fetch, nothing is decoded, so a
 * test sees what Content-Encoding really sent. Sends only the headers given (no Accept-Encoding
 * unless asked).
 */
export async function getBytes(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}
