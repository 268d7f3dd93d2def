/**
 * The API suites drive a real portal, database and sockets. On a busy 2-core machine a test that takes
 * 1 s when quiet can take several, so jest's 5 s default is too tight; suites that do more (a relay, an
 * agent) set their own, larger timeout after this runs.
 */
jest.setTimeout(30_000);
