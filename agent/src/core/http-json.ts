import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A JSON POST over node:http(s) (no fetch: Node 18 prints an experimental warning for it). */
export interface JsonResponse {
  status: number;
  body: unknown;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

export function postJson(url: string, payload: unknown, timeoutMs = 30_000): Promise<JsonResponse> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const body = Buffer.from(JSON.stringify(payload));
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          accept: 'application/json',
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES)
            req.destroy(new Error('the portal answered with an oversized response'));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: parseOrText(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('the portal did not answer in time')));
    req.on('error', reject);
    req.end(body);
  });
}

function parseOrText(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
