import { binaryErrorBody, isErrorBody } from '../../client/src/app/core/error-body';

const bytes = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer;

describe('error bodies in the dashboard', () => {
  it('reads the {code, message} of a failed request made for bytes (a recording chunk)', () => {
    const body = binaryErrorBody(
      bytes('{"code":"recording_broken","message":"This part of the recording was altered."}'),
    );
    expect(isErrorBody(body)).toBe(true);
    expect(body).toEqual({ code: 'recording_broken', message: 'This part of the recording was altered.' });
  });

  it('gives nothing for bytes that are not JSON, or too many to be an error body', () => {
    expect(binaryErrorBody(bytes('<html>bad gateway'))).toBeNull();
    expect(binaryErrorBody(bytes(`{"code":"x","message":"${'y'.repeat(5000)}"}`))).toBeNull();
    expect(binaryErrorBody({ code: 'x', message: 'y' })).toBeNull();
    expect(isErrorBody({ code: 'x' })).toBe(false);
  });
});
