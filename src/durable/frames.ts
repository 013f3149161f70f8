/**
 * One object per project and frames collection (`${project}/${collection}`). On the embedded
 * default it holds the collection in its SQLite and serves the frames port over RPC; its input
 * gate is what serialises the collection's commits.
 */
import type { Clock } from "../clock.ts";
import type { Env } from "../env.ts";
import type { FramesObjectRpc } from "../objects.ts";
import { doFramesPort } from "../storage/do/frames.ts";
import { dispatchFrames, type FramesMethod, type FramesWire } from "../storage/do/frames-rpc.ts";
import { FRAMES_SCHEMA } from "../storage/do/frames-schema.ts";
import type { FramesPort } from "../storage/frames-port.ts";
import { SqlObject } from "./shell.ts";

export class FramesObject extends SqlObject implements FramesObjectRpc {
  #port: FramesPort | undefined;

  constructor(ctx: DurableObjectState, env: Env, clock: Clock) {
    super(ctx, env, FRAMES_SCHEMA, clock);
  }

  async callFrames(
    _project: string,
    _collection: string,
    method: FramesMethod,
    args: unknown[],
  ): Promise<FramesWire<unknown>> {
    await this.ready();
    this.#port ??= doFramesPort(this.sql);
    return dispatchFrames(this.#port, method, args);
  }
}
