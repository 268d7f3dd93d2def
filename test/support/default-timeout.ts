/**
 * Many specs drive real things: a portal, a database, sockets, a PTY, child processes. On a busy
 * 2-core machine a test that takes 1 s when quiet can take several, so jest's 5 s default is too
 * tight. Suites that do more (a relay, an agent, a browser) set their own, larger timeout after this.
 */
jest.setTimeout(30_000);
