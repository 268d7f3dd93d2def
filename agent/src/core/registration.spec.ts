import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegisterRequest } from '../../../contracts/agent-protocol/registration';
import { silentLogger } from '../test-support/socket-pair';
import { Backoff } from './backoff';
import { RegistrationError, registerDevice } from './registration';

const FIXTURES = join(__dirname, '..', '..', '..', 'docs', 'fixtures');
const request = JSON.parse(readFileSync(join(FIXTURES, 'request_register.json'), 'utf8')) as RegisterRequest;
const response = JSON.parse(readFileSync(join(FIXTURES, 'response_register.json'), 'utf8')) as Record<
  string,
  string
>;
const deps = (post: jest.Mock) => ({
  post,
  logger: silentLogger,
  sleep: () => Promise.resolve(),
  backoff: new Backoff({ baseMs: 1, capMs: 1, stableAfterMs: 1 }),
});

describe('registerDevice', () => {
  it('posts the fixture body to /api/agent/register and returns the credential', async () => {
    const post = jest.fn().mockResolvedValue({ status: 201, body: response });
    await expect(registerDevice('https://portal.example.com', request, deps(post))).resolves.toEqual(
      response,
    );
    expect(post).toHaveBeenCalledWith('https://portal.example.com/api/agent/register', request);
  });

  it('retries network failures and 5xx, then succeeds', async () => {
    const post = jest
      .fn()
      .mockRejectedValueOnce(new Error('ECONNREFUSED'))
      .mockResolvedValueOnce({ status: 502, body: 'bad gateway' })
      .mockResolvedValue({ status: 201, body: response });
    await expect(registerDevice('https://portal.example.com', request, deps(post))).resolves.toEqual(
      response,
    );
    expect(post).toHaveBeenCalledTimes(3);
  });

  it('never retries a refusal and shows the portal’s sentence, sanitised', async () => {
    const post = jest.fn().mockResolvedValue({
      status: 410,
      body: { code: 'installer_token_invalid', message: 'This download has expired.\r\nFAKE' },
    });
    const err = await registerDevice('https://portal.example.com', request, deps(post)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RegistrationError);
    expect((err as RegistrationError).message).toBe(
      'The support portal refused this device: This download has expired.??FAKE',
    );
    expect(post).toHaveBeenCalledTimes(1);
  });

  it('refuses an answer that is not a credential, or a plain ws:// channel from an https portal', async () => {
    const bad = jest
      .fn()
      .mockResolvedValue({ status: 201, body: { ...response, deviceCredential: 'short' } });
    await expect(registerDevice('https://portal.example.com', request, deps(bad))).rejects.toThrow(
      'unexpected answer',
    );
    const plain = jest.fn().mockResolvedValue({
      status: 201,
      body: { ...response, controlUrl: 'ws://portal.example.com/api/agent/ws' },
    });
    await expect(registerDevice('https://portal.example.com', request, deps(plain))).rejects.toThrow(
      'unencrypted',
    );
  });
});
