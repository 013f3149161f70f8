/**
 * Tests log in with the SCRAM client Hayloft ships (src/auth/scram-client.ts, which shares no code
 * with the server side), so the tests and `npm run login` exercise one implementation. One cache
 * for the whole run: many tests log the same users in, and PBKDF2 at 100,000 iterations per login
 * would dominate their time.
 */
import {
  type Fetch,
  type LoginSteps,
  scramLogin as login,
  type SaltedPasswordCache,
} from "../../src/auth/scram-client.ts";

export { clientFinal, type LoginSteps, parseChallenge } from "../../src/auth/scram-client.ts";

const cache: SaltedPasswordCache = new Map();

/** Runs HELLO -> client-first -> client-final against `url` (any guarded URL, e.g. `.../about`). */
export function scramLogin(fetch: Fetch, url: string, user: string, password: string): Promise<LoginSteps> {
  return login(fetch, url, user, password, { cache });
}
