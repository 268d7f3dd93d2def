import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';

const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;

/** The passwd entry fields we need, from /etc/passwd text. */
export function passwdEntry(passwd: string, user: string): { home: string; shell: string } | undefined {
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 7 && fields[0] === user) return { home: fields[5], shell: fields[6] };
  }
  return undefined;
}

/**
 * The home folder of whoever ran `sudo` (SUDO_USER), falling back to the agent's own home. Read from
 * /etc/passwd on Linux; on macOS the conventional /Users/<name> is used when it exists in passwd-less setups.
 */
export function invokingUserHome(
  env: NodeJS.ProcessEnv = process.env,
  readPasswd = (): string => readFileSync('/etc/passwd', 'utf8'),
): string {
  const user = env.SUDO_USER;
  if (user && user !== 'root' && USER_NAME.test(user)) {
    try {
      const entry = passwdEntry(readPasswd(), user);
      if (entry?.home.startsWith('/')) return entry.home;
    } catch {
      return process.platform === 'darwin' ? `/Users/${user}` : homedir();
    }
    if (process.platform === 'darwin') return `/Users/${user}`;
  }
  return homedir();
}
