import { request } from 'node:http';
import type { RelayServer } from '../../relay/relay-server';
import { openPair, withRelay } from './support/relay-harness';

interface Reply {
  status: number;
  body: string;
  contentType: string | undefined;
}

function get(relay: RelayServer, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${relay.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          contentType: res.headers['content-type'],
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('relay: HTTP endpoints', () => {
  let relay: RelayServer;
  beforeAll(async () => {
    relay = await withRelay();
  });
  afterAll(() => relay.close());

  it('GET /health is public and reports status, pairs and version', async () => {
    const { agent } = await openPair(relay);
    const reply = await get(relay, '/health', { 'x-forwarded-for': '203.0.113.9' });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({
      status: 'ok',
      activePairs: 1,
      connections: 2,
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    agent.close();
  });

  it('GET /stats lists sessions without tokens, for local callers', async () => {
    const { agent, sid } = await openPair(relay);
    const reply = await get(relay, '/stats');
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.body) as { pairs: Array<Record<string, unknown>>; truncated: boolean };
    expect(body.pairs.find((p) => p.sessionId === sid)).toEqual({
      sessionId: sid,
      channel: 'screen',
      agent: true,
      tech: true,
      since: expect.any(String),
      pairedAt: expect.any(String),
      bytesAgentToTech: 0,
      bytesTechToAgent: 0,
    });
    expect(reply.body).not.toMatch(/token|eyJ/i);
    agent.close();
  });

  it('GET /metrics serves the Prometheus text format to local callers', async () => {
    const reply = await get(relay, '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(reply.body).toMatch(/^relay_pairs_active \d+$/m);
    expect(reply.body).toMatch(/^relay_connections_total \d+$/m);
  });

  it('refuses /stats and /metrics to callers that came through a proxy', async () => {
    for (const path of ['/stats', '/metrics']) {
      expect((await get(relay, path, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
      expect((await get(relay, path, { forwarded: 'for=203.0.113.9' })).status).toBe(403);
    }
  });

  it('answers 404 and 405 as JSON', async () => {
    expect((await get(relay, '/nope')).status).toBe(404);
    const reply = await new Promise<number>((resolve) => {
      const req = request(`${relay.url}/health`, { method: 'DELETE' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.end();
    });
    expect(reply).toBe(405);
  });
});

describe('relay: /stats and /metrics with RELAY_METRICS_TOKEN', () => {
  it('requires the bearer token from every caller, local ones included', async () => {
    const relay = await withRelay({ metricsToken: 'metrics-token-0123456789abcdef' });
    try {
      for (const path of ['/stats', '/metrics']) {
        expect((await get(relay, path)).status).toBe(401);
        expect(
          (await get(relay, path, { authorization: 'Bearer wrong-token-0123456789abcdef' })).status,
        ).toBe(401);
        const ok = await get(relay, path, {
          authorization: 'Bearer metrics-token-0123456789abcdef',
          'x-forwarded-for': '203.0.113.9',
        });
        expect(ok.status).toBe(200);
      }
    } finally {
      await relay.close();
    }
  });
});
