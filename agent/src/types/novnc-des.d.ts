/**
 * noVNC's DES (ESM, no typings), used for VNC Authentication: Node's OpenSSL 3 refuses des-ecb.
 * The package's "exports" list only core/rfb.js, so agent/build.mjs (esbuild `alias`) and
 * jest.config.js (`moduleNameMapper`) point this name at node_modules/@novnc/novnc/core/crypto/des.js.
 */
declare module '@novnc/novnc/core/crypto/des.js' {
  export class DESECBCipher {
    static importKey(
      key: Uint8Array | number[],
      algorithm: { name: 'DES-ECB' },
      extractable: boolean,
      usages: string[],
    ): DESECBCipher;
    encrypt(algorithm: { name: 'DES-ECB' }, plaintext: Uint8Array): Uint8Array | null;
  }
}
