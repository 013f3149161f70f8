import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { doFramesBackend } from "../../src/durable/frames-client.ts";
import { remoteFrames } from "../../src/storage/do/frames-rpc.ts";
import type { FramesPort } from "../../src/storage/frames-port.ts";
import { runFramesPortContract } from "../contract/frames/index.ts";
import { codeOf, created, NOW, RECORD } from "../contract/frames/support.ts";

/** The port of a fresh FramesObject, reached over RPC as the Worker reaches it. */
function freshObject(): FramesPort {
  const collection = crypto.randomUUID();
  return remoteFrames(env.FRAMES.getByName(`p/${collection}`), "p", collection);
}

runFramesPortContract("do", freshObject);

describe("do: the frames backend lists a project's collections through the catalog", () => {
  const backend = doFramesBackend(env);
  const tag = crypto.randomUUID().slice(0, 8);
  const alpha = `alpha-${tag}`;
  // Sorts right after alpha's entries: a listing of alpha must stop where alpha's end.
  const alphaB = `alpha-${tag}b`;

  const create = async (project: string, collection: string) =>
    created(backend.open(project, collection).port);

  it("registers on create, pages by name, keeps projects apart, unregisters on drop", async () => {
    for (const c of ["c2", "c1", "c3", "c4"]) await create(alpha, c);
    for (const c of ["a0", "c1", "z9"]) await create(alphaB, c);
    expect(await backend.collections(alpha, "", 10)).toEqual(["c1", "c2", "c3", "c4"]);
    expect(await backend.collections(alpha, "", 2)).toEqual(["c1", "c2"]);
    expect(await backend.collections(alpha, "c2", 2)).toEqual(["c3", "c4"]);
    expect(await backend.collections(alpha, "c4", 10)).toEqual([]);
    expect(await backend.collections(alphaB, "", 10)).toEqual(["a0", "c1", "z9"]);
    expect(await backend.collections(`beta-${tag}`, "", 10)).toEqual([]);

    // A failed create registers nothing; a create with overwrite of an existing one changes nothing.
    const taken = backend.open(alpha, "c1").port;
    expect(await codeOf(created(taken))).toBe("conflict");
    await taken.commit({ createCollection: { record: RECORD, overwrite: true } }, NOW + 1);
    expect(await backend.collections(alpha, "", 10)).toEqual(["c1", "c2", "c3", "c4"]);

    await backend.open(alpha, "c2").port.drop();
    expect(await backend.collections(alpha, "", 10)).toEqual(["c1", "c3", "c4"]);
    expect(await backend.open(alpha, "c2").port.collection()).toBeNull();
    expect(await backend.collections(alphaB, "", 10)).toEqual(["a0", "c1", "z9"]);
  });

  it("a collection's port reaches the same object each time it is opened", async () => {
    const project = `gamma-${tag}`;
    await create(project, "one");
    expect(await backend.open(project, "one").port.collection()).toEqual(RECORD);
    expect(await backend.open(project, "two").port.collection()).toBeNull();
  });
});
