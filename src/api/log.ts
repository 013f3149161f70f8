import type { Config } from "../config.ts";

/**
 * Logs a failure without its stack (which can quote request data) unless ERR_TRACE is on.
 * Messages here never hold secrets: config errors name variables, SQL errors name queries only.
 */
export function logFailure(config: Pick<Config, "errTrace"> | undefined, where: string, err: unknown): void {
  if (config?.errTrace && err instanceof Error) console.error(`${where}:`, err);
  else console.error(`${where}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
}
