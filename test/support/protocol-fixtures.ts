import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** docs/fixtures/: one JSON body per agent-protocol message (docs/protocol.md). */
export const PROTOCOL_FIXTURES = join(__dirname, '..', '..', 'docs', 'fixtures');

/** The fixtures' file names (`request_hello.json`, …). */
export function protocolFixtureFiles(): string[] {
  return readdirSync(PROTOCOL_FIXTURES).filter((f) => f.endsWith('.json'));
}

/** One fixture's body, decoded. */
export function loadProtocolFixture(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(PROTOCOL_FIXTURES, file), 'utf8')) as Record<string, unknown>;
}
