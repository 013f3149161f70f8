/**
 * Property-based fuzzing of the HTTP layer: random methods, paths, query strings, Accept and
 * Content-Type headers, credentials and bodies go to the Worker through SELF.fetch. Whatever
 * arrives, the answer has a known status (never 5xx) and a clear error body (an error grid with a
 * Str `dis` and an `errCode` on the Haystack face, `{error:{code,message}}` elsewhere) carrying no
 * stack trace and no secret, and an op never fails with the catch-all `internal` error. None of the
 * credentials used can write (none, garbage, forged, expired, another project's, the auth exchange
 * with garbage, a viewer), so the project's records, history, priority array, users and keys must
 * be exactly as they were after each property.
 *
 * Each property stops after TIME_LIMIT_MS. SELF.fetch slows down with every request a workerd
 * instance has served (cloudflare/workers-sdk#15446), so a file gets several hundred requests, not
 * thousands: the generators aim most of them at the ops and the auth paths rather than at noise.
 * A failure prints the generated request; `\u0000self` in a path stands for the fuzzed project.
 */
import { env, SELF } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { fromBase64Url, toBase64, toBase64Url, utf8Bytes, utf8Text } from "../../src/auth/base64.ts";
import { deriveKeys, type SigningKeys } from "../../src/auth/keys.ts";
import type { Role } from "../../src/auth/roles.ts";
import { signToken } from "../../src/auth/signed.ts";
import { issueAuthToken } from "../../src/auth/tokens.ts";
import { PROJECT_NAME } from "../../src/config.ts";
import { readJson3Grid, readJsonGrid } from "../../src/haystack/codec/json/index.ts";
import { readZincGrid, writeZincGrid, zincStr } from "../../src/haystack/codec/zinc/index.ts";
import type { HGrid } from "../../src/haystack/kinds/index.ts";
import { authedFetch, mintToken } from "../support/auth.ts";
import { BASE, building, get, hisLines, hisWriteAll, newProject, ok, post, seed } from "../support/haystack-http.ts";
import { type Edit, editsArb, mutate, mutated } from "../support/mutate.ts";

/** How long each property fuzzes. */
const TIME_LIMIT_MS = 9_000;
const TEST_TIMEOUT_MS = 60_000;

/**
 * fc.assert for TIME_LIMIT_MS (numRuns is high so the time limit is what stops it). fast-check
 * abandons the run in progress when time is up; it is awaited here, its failure kept, so no
 * request is still in flight when the snapshot is taken.
 */
async function fuzz<T>(arb: fc.Arbitrary<T>, check: (value: T) => Promise<void>): Promise<void> {
  const inflight = new Set<Promise<void>>();
  await fc.assert(
    fc.asyncProperty(arb, (value) => {
      const run = check(value);
      inflight.add(run);
      const done = () => inflight.delete(run);
      run.then(done, done);
      return run;
    }),
    { numRuns: 2_000, interruptAfterTimeLimit: TIME_LIMIT_MS },
  );
  for (const r of await Promise.allSettled([...inflight])) {
    if (r.status === "rejected") throw r.reason;
  }
}

const STATUSES = new Set([200, 201, 204, 400, 401, 403, 404, 405, 406, 413, 415, 429]);
const READ_OPS = ["about", "ops", "formats", "defs", "libs", "filetypes", "read", "nav", "hisRead"];
const WRITE_OPS = ["commit", "hisWrite", "pointWrite", "watchSub", "watchUnsub", "watchPoll", "invokeAction"];
const OPS = [...READ_OPS, ...WRITE_OPS, "close"];
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
/** Methods workerd sends beyond the usual ones; it refuses any other name before the Worker sees it. */
const EXOTIC_METHODS = [
  "PROPFIND",
  "PROPPATCH",
  "MKCOL",
  "COPY",
  "MOVE",
  "LOCK",
  "UNLOCK",
  "PURGE",
  "SEARCH",
  "REPORT",
];
const FACES = new Set(["api", "admin", "ts", "frames", "tstorage"]);
const SECRETS = [env.AUTH_SECRET, env.ADMIN_PASSWORD].filter((s): s is string => typeof s === "string" && s !== "");
const HIS_RANGE = encodeURIComponent("2023-12-01,2024-02-01");
/** Stands for the fuzzed project in generated paths (its name is only known once set up). */
const SELF_PROJECT = "\u0000self";

// ---------------------------------------------------------------------------------------------
// The project under fuzz and the credentials the fuzz may use (none of them can write).

let p: string;
let before: string[];
/** Viewer session token; never sent to `close` (which would revoke it). */
let viewerToken: string;
/** A viewer token of its own for mutations to start from: a mutant that still verifies revokes nothing else. */
let mutantBase: string;
let viewerKey: string;
/** A real HELLO handshake token, so SCRAM headers get one step further than garbage. */
let helloToken: string;
let forged: Record<Forged, string>;
let freshViewers = 0;

const FORGED = [
  "wrongSecret",
  "tampered",
  "expired",
  "otherProject",
  "helloType",
  "malformed",
  "noSignature",
  "emptySignature",
] as const;
type Forged = (typeof FORGED)[number];

function rightKeys(): Promise<SigningKeys> {
  return deriveKeys(env.AUTH_SECRET as string);
}

/** base64url -> UTF-8 text ("" when it is neither). */
function textOfBase64Url(s: string): string {
  const bytes = fromBase64Url(s);
  return (bytes && utf8Text(bytes)) ?? "";
}

/** A token's claims with some replaced and its original signature kept: the MAC no longer matches. */
function tamper(token: string, change: Record<string, unknown>): string {
  const [body = "", sig = ""] = token.split(".");
  const claims = JSON.parse(textOfBase64Url(body)) as Record<string, unknown>;
  return `${toBase64Url(utf8Bytes(JSON.stringify({ ...claims, ...change })))}.${sig}`;
}

async function makeForged(project: string): Promise<Record<Forged, string>> {
  const keys = await rightKeys();
  const wrong = await deriveKeys("a-wrong-secret-that-is-long-enough-0123456789");
  const now = Date.now();
  const claims = { user: "admin", project, role: "admin" as const, ttlMs: 3_600_000 };
  const viewer = await mintToken(project, "viewer", "tampered");
  const body = viewer.split(".")[0] as string;
  return {
    wrongSecret: (await issueAuthToken(wrong, { ...claims, nowMs: now })).token,
    tampered: tamper(viewer, { role: "admin" }),
    expired: (await issueAuthToken(keys, { ...claims, nowMs: now - 7_200_000 })).token,
    otherProject: (await issueAuthToken(keys, { ...claims, project: `${project}-other`, nowMs: now })).token,
    helloType: await signToken(keys.token, { typ: "hello", u: "admin", prj: project, exp: now + 3_600_000 }),
    malformed: await signToken(keys.token, { typ: "auth", sub: 7, prj: project, role: "root", exp: now + 3_600_000 }),
    noSignature: body,
    emptySignature: `${body}.`,
  };
}

async function adminPost(path: string, body: unknown): Promise<Response> {
  return authedFetch(`${BASE}/admin/${p}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** A building with history on three points, a writable point at level 16, a user and a viewer key. */
async function setUp(): Promise<void> {
  p = newProject();
  await building(p);
  await seed(p, "id,dis,point,writable,kind,unit,tz", `@w,"Setpoint",M,M,"Number","°F","New_York"`);
  await ok(post(p, "pointWrite", `ver:"3.0"\nid,level,val,who\n@w,16,70°F,"setup"\n`));
  const start = Date.UTC(2024, 0, 1);
  await hisWriteAll(
    p,
    "p1",
    hisLines(start, 96, 900_000, (i) => `${60 + (i % 20)}°F`),
  );
  await hisWriteAll(
    p,
    "p2",
    hisLines(start, 48, 1_800_000, (i) => (i % 2 ? "T" : "F")),
  );
  await hisWriteAll(
    p,
    "p3",
    hisLines(start, 24, 3_600_000, (i) => `"mode ${i % 3}"`),
  );
  const user = await adminPost("/users", { name: "fuzz-user", password: "fuzz-user-password-0", role: "operator" });
  expect(user.status).toBe(201);
  const key = await adminPost("/keys", { name: "fuzz-viewer", role: "viewer" });
  expect(key.status).toBe(201);
  viewerKey = ((await key.json()) as { secret: string }).secret;
  viewerToken = await mintToken(p, "viewer", "fuzz-viewer");
  mutantBase = await mintToken(p, "viewer", "fuzz-mutant");
  forged = await makeForged(p);
  const hello = await SELF.fetch(`${BASE}/api/${p}/about`, {
    headers: { authorization: `HELLO username=${toBase64Url(utf8Bytes("fuzz-user"))}` },
  });
  await hello.text();
  helloToken = challenge(hello.headers.get("www-authenticate")).get("handshakeToken") ?? "";
  expect(helloToken).not.toBe("");
  before = await snapshot();
}

/** Everything a write could touch: records, three histories, @w's priority array, users and keys. */
async function snapshot(): Promise<string[]> {
  const grid = async (r: Promise<Response>) => writeZincGrid(await ok(r));
  const admin = async (path: string) => {
    const r = await authedFetch(`${BASE}/admin/${p}${path}`);
    expect(r.status).toBe(200);
    return r.text();
  };
  return [
    await grid(get(p, "read", "filter=id")),
    await grid(get(p, "hisRead", `id=@p1&range=${HIS_RANGE}`)),
    await grid(get(p, "hisRead", `id=@p2&range=${HIS_RANGE}`)),
    await grid(get(p, "hisRead", `id=@p3&range=${HIS_RANGE}`)),
    await grid(post(p, "pointWrite", 'ver:"3.0"\nid\n@w\n')),
    await admin("/users"),
    await admin("/keys"),
  ];
}

async function expectUnchanged(): Promise<void> {
  expect(await snapshot()).toEqual(before);
}

/** `SCRAM a=1, b=2` -> its parameters. */
function challenge(h: string | null): Map<string, string> {
  const out = new Map<string, string>();
  const text = (h ?? "").trim();
  const sp = text.indexOf(" ");
  if (sp < 0) return out;
  for (const part of text.slice(sp + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checking a reply.

interface Sent {
  readonly label: string;
  readonly method: string;
  readonly url: URL;
  /** The credential may read (a viewer, or a mutant of a viewer token): a 2xx is then allowed. */
  readonly mayRead: boolean;
  /** The credential is a real viewer's token or key for the fuzzed project. */
  readonly viewer: boolean;
  readonly res: Response;
  readonly text: string;
}

function fail(s: Sent, why: string): never {
  const ct = s.res.headers.get("content-type");
  throw new Error(`${s.label} -> ${s.res.status} (${ct}): ${why}\nbody: ${JSON.stringify(s.text.slice(0, 400))}`);
}

/** The path as Hono matches it: percent-decoded as by decodeURI, a bad escape left as sent. */
function honoPath(url: URL): string {
  const raw = url.pathname.includes("%25") ? url.pathname.replace(/%25/g, "%2525") : url.pathname;
  try {
    return decodeURI(raw);
  } catch {
    return raw.replace(/(?:%[0-9A-Fa-f]{2})+/g, (m) => {
      try {
        return decodeURI(m);
      } catch {
        return m;
      }
    });
  }
}

interface Where {
  /** A face the auth policy guards: credentials are needed. */
  readonly guarded: boolean;
  /** On the Haystack face (any path under /api): errors are error grids. */
  readonly haystack: boolean;
  readonly validProject: boolean;
  /** `/api/{the fuzzed project}/{op}` exactly: the op's name, else undefined. */
  readonly op: string | undefined;
}

/** Mirrors the auth policy (src/api/auth/policy.ts): the face, project and op of a path. */
function where(url: URL): Where {
  const parts = honoPath(url).split("/");
  const [, face, project] = parts;
  const guarded = face !== undefined && FACES.has(face) && project !== undefined;
  return {
    guarded,
    // Every /api path is the Haystack face's, `/api` itself too: its errors are grids.
    haystack: face === "api",
    validProject: project !== undefined && PROJECT_NAME.test(project),
    op: face === "api" && project === p && parts.length === 4 ? parts[3] : undefined,
  };
}

/** The reply as a grid when its Content-Type is one a grid with meta can be read from. */
function gridOf(s: Sent): HGrid | undefined {
  const ct = (s.res.headers.get("content-type") ?? "").toLowerCase();
  try {
    if (ct.startsWith("text/zinc")) return readZincGrid(s.text);
    if (ct.startsWith("application/vnd.haystack+json") && /version=3/.test(ct)) return readJson3Grid(s.text);
    if (ct.startsWith("application/json") || ct.startsWith("application/vnd.haystack+json")) {
      return readJsonGrid(s.text);
    }
  } catch (e) {
    fail(s, `the reply is not a readable grid: ${String(e)}`);
  }
  return undefined;
}

function checkErrorMeta(s: Sent, g: HGrid): void {
  const dis = g.meta.get("dis");
  const code = g.meta.get("errCode");
  if (!g.meta.has("err")) fail(s, "an error grid without err");
  if (typeof dis !== "string" || dis.trim() === "") fail(s, "an error grid without a non-empty Str dis");
  if (typeof code !== "string" || code === "") fail(s, "an error grid without an errCode");
  // The catch-all for an exception nobody anticipated: a crash, answered politely.
  if (code === "internal") fail(s, "an op failed with an unexpected exception (errCode internal)");
  if (g.meta.has("errTrace")) fail(s, "an error grid carries errTrace");
  if (g.rows.length !== 0) fail(s, "an error grid has rows");
}

function checkProblem(s: Sent): void {
  const ct = (s.res.headers.get("content-type") ?? "").toLowerCase();
  if (!ct.startsWith("application/json")) fail(s, "an error reply off the Haystack face is not JSON");
  let body: unknown;
  try {
    body = JSON.parse(s.text);
  } catch {
    fail(s, "an error reply is not valid JSON");
  }
  const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof e?.code !== "string" || e.code === "") fail(s, "a problem without a string error.code");
  if (typeof e?.message !== "string" || e.message === "") fail(s, "a problem without a string error.message");
}

/** A V8 stack frame line (`    at fn (file:1:2)`), raw or inside an escaped string. */
const STACK_LINE = /(?:^|\n|\\n)\s+at \S/;

function checkReply(s: Sent): void {
  const { res, text } = s;
  const status = res.status;
  const w = where(s.url);
  if (!STATUSES.has(status)) fail(s, `status ${status} is not one the server should answer`);
  for (const secret of SECRETS) {
    if (text.includes(secret)) fail(s, "the body contains a secret");
    for (const [name, v] of res.headers) if (v.includes(secret)) fail(s, `header ${name} contains a secret`);
  }
  if (status === 429 && !res.headers.get("retry-after")) fail(s, "429 without Retry-After");
  if (status === 401 && !res.headers.get("www-authenticate")) fail(s, "401 without WWW-Authenticate");
  if (w.guarded && status < 300 && !s.mayRead) fail(s, "a request without a readable credential succeeded");
  if (w.guarded && w.validProject && !s.mayRead && ![400, 401, 403, 429].includes(status)) {
    fail(s, "a request without a valid credential got past the auth middleware");
  }
  if (s.viewer && w.op !== undefined && status !== 429) {
    if (WRITE_OPS.includes(w.op) && status !== 403) fail(s, "a viewer's write was not refused with 403");
    if (!WRITE_OPS.includes(w.op) && (status === 401 || status === 403)) fail(s, "a viewer was refused a read");
  }
  if (s.method === "HEAD") return;
  if (status >= 400) {
    if (STACK_LINE.test(text)) fail(s, "the error body carries a stack trace");
    if (w.haystack) {
      const g = gridOf(s);
      if (!g) fail(s, "an error on the Haystack face is not a Zinc or JSON error grid");
      checkErrorMeta(s, g);
      if (s.viewer && w.op !== undefined && WRITE_OPS.includes(w.op) && g.meta.get("errCode") !== "forbidden") {
        fail(s, "a viewer's refused write does not say forbidden");
      }
    } else {
      checkProblem(s);
    }
  } else if (w.haystack) {
    const g = gridOf(s);
    if (g?.meta.has("err")) {
      if (STACK_LINE.test(text)) fail(s, "the error grid carries a stack trace");
      checkErrorMeta(s, g);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Generators: text, mutations, methods, paths, headers and bodies.

/** Printable ASCII: what a header value may hold without workerd re-encoding it. */
const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const headerText = (maxLength: number) => fc.string({ unit: printable, maxLength });
const b64urlChar = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".split(""));
const b64url = (minLength: number, maxLength: number) => fc.string({ unit: b64urlChar, minLength, maxLength });
const hex16 = fc.string({ unit: fc.constantFrom(..."0123456789abcdef".split("")), minLength: 16, maxLength: 16 });
const headerEdits = editsArb(printable);
/** `arb` in `percent` of cases, else undefined (fc.option would give a value four times in five). */
const sometimes = <T>(arb: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(undefined) }, { weight: percent, arbitrary: arb });

const methodArb = fc.oneof(
  { withCrossShrink: true },
  { weight: 10, arbitrary: fc.constantFrom(...METHODS) },
  { weight: 1, arbitrary: fc.constantFrom(...EXOTIC_METHODS) },
  { weight: 1, arbitrary: fc.constantFrom("get", "post", "Post", "head") },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ-".split("")),
      minLength: 1,
      maxLength: 10,
    }),
  },
);

/** Path segments a careless router trips over. */
const oddSegment = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "..",
      ".",
      "%2F",
      "%2f",
      "%2e%2e",
      "..%2F..",
      "%00",
      "%",
      "%zz",
      "%25",
      "%2525",
      "a%2Fb",
      "../..",
      "read/x",
      "",
      "%E2%82%AC",
      "%C0%AF",
      "%FF%FE",
      "🐄",
      "close%2F",
      "%63lose",
      "READ",
      "Read",
      " read",
      "read;x",
      "read?filter=site",
      "about#x",
      "%72ead",
      "defs.json",
      "ops/",
      "\\..\\",
      "constructor",
      "__proto__",
      "hasOwnProperty",
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 8_000 }).map((n) => "x".repeat(n)) },
);

const projectArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant(SELF_PROJECT) },
  { weight: 1, arbitrary: fc.constantFrom("t-someone-else", "demo", "A_b-9", "x".repeat(64)) },
  {
    weight: 2,
    arbitrary: fc.oneof(fc.constantFrom("", "bad name!", "x".repeat(65), "..", "%2F", "a.b", "ä", "t%2Dx"), oddSegment),
  },
);

const opArb = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...OPS) }, { weight: 1, arbitrary: oddSegment });

const pathArb = fc.oneof(
  { withCrossShrink: true },
  { weight: 10, arbitrary: fc.tuple(projectArb, opArb).map(([pr, op]) => `/api/${pr}/${op}`) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        projectArb,
        fc.constantFrom("users", "keys", "users/alice", "users/fuzz-user", "keys/0123456789abcdef", "", "x"),
      )
      .map(([pr, rest]) => `/admin/${pr}/${rest}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom("ts", "frames", "tstorage"), projectArb, fc.oneof(fc.constant("x"), oddSegment))
      .map(([face, pr, rest]) => `/${face}/${pr}/${rest}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          "/api",
          "/api/",
          "/admin/",
          "/",
          "/nope/",
          "/API/",
          `/api/${SELF_PROJECT}/read/`,
          `/api/${SELF_PROJECT}`,
        ),
        oddSegment,
      )
      .map(([head, tail]) => head + tail),
  },
);

const acceptArb = fc.option(
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        "text/zinc",
        "application/json",
        "application/vnd.haystack+json;version=3",
        "application/vnd.haystack+json;version=4",
        "text/csv",
        "*/*",
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "text/trio",
        "application/vnd.haystack+json;version=9",
        "text/*",
        "image/png",
        "text/zinc;q=0",
        "text/csv, text/zinc;q=0.1",
        "application/json;q=0.5, text/zinc;q=0.4",
        "*/*;q=0",
        "text/zinc;q=abc",
        ";;;,,,",
        "/",
        "text/",
      ),
    },
    { weight: 1, arbitrary: headerText(40) },
  ),
  { nil: undefined },
);

const contentTypeArb = fc.option(
  fc.oneof(
    fc.constantFrom(
      "text/zinc",
      "text/zinc; charset=utf-8",
      "application/json",
      "application/vnd.haystack+json;version=3",
      "application/vnd.haystack+json;version=4",
      "application/vnd.haystack+json;version=2",
      "text/trio",
      "text/csv",
      "text/plain",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
      "*/*",
      "text/*",
    ),
    headerText(40),
  ),
  { nil: undefined },
);

const ZINC_SEEDS = [
  'ver:"3.0"\nfilter\n"point"\n',
  'ver:"3.0"\nfilter,limit\n"point and his",10\n',
  'ver:"3.0"\nid\n@p1\n@p2\n@nope\n',
  'ver:"3.0"\nid,range\n@p1,"2024-01-01,2024-01-03"\n',
  'ver:"3.0" range:"today"\nid\n@p1\n@p3\n',
  'ver:"3.0" id:@p1\nts,val\n2024-01-05T00:00:00Z UTC,99°F\n',
  'ver:"3.0"\nts,v0 id:@p1,v1 id:@p2\n2024-01-05T00:00:00Z UTC,1°F,T\n',
  'ver:"3.0" commit:"add"\nid,dis,site\n@fuzz,"Fuzz",M\n',
  'ver:"3.0" commit:"update"\nid,mod,dis\n@p1,2024-01-01T00:00:00Z UTC,"Hacked"\n',
  'ver:"3.0" commit:"remove"\nid,mod\n@s,2024-01-01T00:00:00Z UTC\n',
  'ver:"3.0"\nid,level,val,who\n@w,8,1°F,"fuzz"\n',
  'ver:"3.0"\nid\n@w\n',
  'ver:"3.0" watchDis:"fuzz" lease:1min\nid\n@p1\n',
  'ver:"3.0" watchId:"w-1" refresh\nempty\n',
  'ver:"3.0" watchId:"w-1" close\nid\n@p1\n',
  'ver:"3.0" id:@w action:"Override"\nval\n1\n',
  'ver:"3.0"\nnavId\n@s\n',
  'ver:"3.0"\nempty\n',
  'ver:"3.0"\nv\n<<ver:"3.0"\na,b\n[1,2,{x:3}],`uri`\n>>\n',
];
const JSON_SEEDS = [
  '{"_kind":"grid","meta":{"ver":"3.0"},"cols":[{"name":"filter"}],"rows":[{"filter":"point"}]}',
  '{"_kind":"grid","meta":{"ver":"3.0","commit":"add"},"cols":[{"name":"id"},{"name":"site"}],"rows":[{"id":{"_kind":"ref","val":"fuzz"},"site":{"_kind":"marker"}}]}',
  '{"meta":{"ver":"3.0"},"cols":[{"name":"filter"}],"rows":[{"filter":"s:point"}]}',
  '{"meta":{"ver":"3.0","id":"r:p1"},"cols":[{"name":"ts"},{"name":"val"}],"rows":[{"ts":"t:2024-01-05T00:00:00Z UTC","val":"n:1 °F"}]}',
];
const OTHER_SEEDS = [
  'id:@fuzz\nsite\ndis:"Fuzz"\n---\nid:@fuzz2\nequip\n',
  '{"name":"mallory","password":"mallory-password","role":"admin"}',
  '{"name":"k","role":"admin"}',
  '{"role":"admin","rateLimit":1}',
  "ts,val\n2024-01-05T00:00:00Z,1\n",
];
const seedArb = fc.constantFrom(...ZINC_SEEDS, ...JSON_SEEDS, ...OTHER_SEEDS);

const bodyArb: fc.Arbitrary<string | Uint8Array | undefined> = fc.oneof(
  { withCrossShrink: true },
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: seedArb },
  { weight: 5, arbitrary: mutated(seedArb) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 512 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2_048 }) },
  {
    weight: 1,
    // Large, deep or many-row bodies, all under 64 KiB.
    arbitrary: fc
      .tuple(
        fc.constantFrom('ver:"3.0"\nid\n', 'ver:"3.0"\nfilter\n', "", '{"_kind":"grid","rows":'),
        fc.constantFrom(" ", "\n", "@p1\n", "[", "{a:", '{"a":', "<<", '"', "\\", "1,"),
        fc.integer({ min: 1_000, max: 60_000 }),
      )
      .map(([head, unit, n]) => head + unit.repeat(Math.floor(n / unit.length))),
  },
);

// ---------------------------------------------------------------------------------------------
// Generators: request grids an op reads deeply (filters, ranges, refs, limits).

const tagArb = fc.constantFrom(
  "id",
  "dis",
  "site",
  "equip",
  "point",
  "his",
  "kind",
  "unit",
  "tz",
  "siteRef",
  "equipRef",
  "mod",
  "writable",
  "navId",
  "x",
  "ü",
  "a".repeat(300),
);
const filterPath = fc.oneof(
  { weight: 3, arbitrary: tagArb },
  { weight: 1, arbitrary: fc.array(tagArb, { minLength: 2, maxLength: 4 }).map((ts) => ts.join("->")) },
);
const zincScalar = fc.oneof(
  fc.constantFrom(
    '"New_York"',
    '"Number"',
    '""',
    '"\\u0000"',
    "@s",
    "@p1",
    "@nope",
    "72°F",
    "1",
    "-1.5e10",
    "1e400",
    "NaN",
    "INF",
    "-INF",
    "true",
    "T",
    "F",
    "N",
    "M",
    "2024-01-01",
    "2024-01-01T00:00:00Z UTC",
    "2024-01-01T00:00:00-05:00 New_York",
    "12:00:00",
    "^point",
    "`http://x`",
  ),
  fc.integer().map(String),
  fc.double({ noNaN: true }).map(String),
  fc.string({ maxLength: 12 }).map(zincStr),
);
const filterArb: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
  f: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    filterPath,
    fc
      .tuple(filterPath, fc.constantFrom("==", "!=", "<", "<=", ">", ">="), zincScalar)
      .map(([a, op, v]) => `${a} ${op} ${v}`),
    filterPath.map((a) => `not ${a}`),
    fc.tuple(tie("f"), fc.constantFrom(" and ", " or "), tie("f")).map(([a, op, b]) => a + op + b),
    tie("f").map((a) => `(${a})`),
  ),
})).f;
const filterTextArb = fc.oneof(
  { weight: 4, arbitrary: filterArb },
  { weight: 2, arbitrary: mutated(filterArb) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "",
      " ",
      "(",
      ")",
      "not",
      "and",
      "site and",
      "==",
      "a->",
      "->a",
      `${"(".repeat(40)}site${")".repeat(40)}`,
      `${"(".repeat(2_000)}site${")".repeat(2_000)}`,
      `${"not ".repeat(500)}site`,
      Array.from({ length: 400 }, () => "site").join(" or "),
      Array.from({ length: 60 }, () => "siteRef").join("->"),
      "x".repeat(17_000),
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
);

const dateArb = fc
  .date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const zoneArb = fc.constantFrom(
  "Z UTC",
  "Z",
  "-05:00 New_York",
  "+09:00 Tokyo",
  "+00:00 London",
  "-05:00 Nowhere",
  "+14:00 Kiritimati",
  "-12:00 GMT+12",
  "+05:45 Kathmandu",
  "+99:99 UTC",
);
const dateTimeArb = fc
  .tuple(dateArb, fc.integer({ min: 0, max: 86_399_999 }), zoneArb)
  .map(([d, ms, z]) => `${d}T${new Date(ms).toISOString().slice(11, 23)}${z}`);
const rangeArb = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "today",
      "yesterday",
      " today ",
      "Today",
      "2024-01-01",
      "2024-01-01,2024-01-03",
      "2024-01-03,2024-01-01",
      "2024-01-01T00:00:00Z UTC,2024-01-02T00:00:00Z UTC",
      "2024-01-01T00:00:00Z UTC",
      "2024-01-01,2024-01-01T00:00:00Z UTC",
      "0001-01-01,9999-12-31",
      "2024-02-30",
      "2024-13-01",
      "99999-01-01",
      "-2024-01-01",
      "+275760-09-13",
      ",",
      "2024-01-01,",
      ",2024-01-01",
      "2024-01-01,2024-01-02,2024-01-03",
      "",
      "x".repeat(300),
    ),
  },
  { weight: 2, arbitrary: dateArb },
  { weight: 2, arbitrary: fc.tuple(dateArb, dateArb).map(([a, b]) => `${a},${b}`) },
  { weight: 2, arbitrary: fc.tuple(dateTimeArb, dateTimeArb).map(([a, b]) => `${a},${b}`) },
  { weight: 1, arbitrary: dateTimeArb },
  { weight: 1, arbitrary: mutated(fc.constant("2024-01-01T00:00:00Z UTC,2024-01-02T00:00:00Z UTC")) },
);
const refArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("@p1", "@p2", "@p3", "@s", "@e1", "@w", "@nope") },
  {
    weight: 1,
    arbitrary: fc.constantFrom("@", '@p1 "Temp"', "p1", '"@p1"', "@p1,@p2", "@:x", `@${"a".repeat(300)}`, "N", "1"),
  },
  { weight: 1, arbitrary: b64url(1, 20).map((s) => `@${s}`) },
);
const limitArb = fc.oneof(
  fc.integer({ min: -5, max: 20 }).map(String),
  fc.constantFrom("0", "-1", "1e9", "9007199254740993", "NaN", "INF", "1.5", "10kW", '"10"', "N", "T"),
);

interface OpCall {
  readonly op: string;
  readonly query: string;
  /** The POST body and the Content-Type that names its format. */
  readonly body: string;
  readonly contentType: string;
}

const q = (pairs: Record<string, string>) => new URLSearchParams(pairs).toString();
const zincCall = (op: string, query: string, body: string): OpCall => ({ op, query, body, contentType: "text/zinc" });

/** A call a viewer may make, aimed at the argument parsing of each read op. */
const readCallArb: fc.Arbitrary<OpCall> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(filterTextArb, fc.option(limitArb, { nil: undefined }))
      .map(([filter, limit]) =>
        zincCall(
          "read",
          q(limit === undefined ? { filter } : { filter, limit }),
          `ver:"3.0"\nfilter${limit === undefined ? "" : ",limit"}\n${zincStr(filter)}${limit === undefined ? "" : `,${limit}`}\n`,
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: filterTextArb.map((filter) => ({
      op: "read",
      query: q({ filter }),
      body: JSON.stringify({ _kind: "grid", meta: { ver: "3.0" }, cols: [{ name: "filter" }], rows: [{ filter }] }),
      contentType: "application/json",
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(refArb, { minLength: 1, maxLength: 5 })
      .map((ids) => zincCall("read", q({ id: ids[0] as string }), `ver:"3.0"\nid\n${ids.join("\n")}\n`)),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(refArb, rangeArb, fc.constantFrom("cell", "meta", "date"))
      .map(([id, range, how]) =>
        zincCall(
          "hisRead",
          q({ id, range }),
          how === "meta"
            ? `ver:"3.0" range:${zincStr(range)}\nid\n${id}\n`
            : how === "date"
              ? `ver:"3.0"\nid,range\n${id},${range}\n`
              : `ver:"3.0"\nid,range\n${id},${zincStr(range)}\n`,
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.array(refArb, { minLength: 2, maxLength: 6 }), rangeArb)
      .map(([ids, range]) =>
        zincCall(
          "hisRead",
          q({ id: ids[0] as string, range }),
          `ver:"3.0" range:${zincStr(range)}\nid\n${ids.join("\n")}\n`,
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .option(refArb, { nil: undefined })
      .map((navId) =>
        zincCall(
          "nav",
          navId === undefined ? "" : q({ navId }),
          navId === undefined ? "" : `ver:"3.0"\nnavId\n${navId}\n`,
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("about", "ops", "formats", "defs", "libs", "filetypes"), filterTextArb, fc.boolean())
      .map(([op, filter, withQuery]) =>
        zincCall(op, withQuery ? q({ filter }) : "", `ver:"3.0"\nfilter\n${zincStr(filter)}\n`),
      ),
  },
);

/** A write, which a viewer must be refused. */
const writeCallArb: fc.Arbitrary<OpCall> = fc
  .tuple(
    fc.constantFrom(...WRITE_OPS),
    fc.oneof(fc.constantFrom(...ZINC_SEEDS), mutated(fc.constantFrom(...ZINC_SEEDS))),
  )
  .map(([op, body]) => zincCall(op, "", body));

/** A viewer's request: an op call, sent as GET or POST mostly, with its body sometimes mutated. */
const viewerRequestArb: fc.Arbitrary<RequestSpec> = fc
  .record({
    call: fc.oneof({ weight: 4, arbitrary: readCallArb }, { weight: 1, arbitrary: writeCallArb }),
    method: fc.oneof({ weight: 9, arbitrary: fc.constantFrom("GET", "POST") }, { weight: 1, arbitrary: methodArb }),
    bodyEdits: fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: editsArb() }),
    contentType: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: contentTypeArb }),
    accept: fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          "text/zinc",
          "application/json",
          "application/vnd.haystack+json;version=3",
          "text/csv",
          "text/trio",
        ),
      },
      { weight: 1, arbitrary: acceptArb },
    ),
    via: fc.constantFrom("token", "key", "fresh") as fc.Arbitrary<"token" | "key" | "fresh">,
    form: fc.constantFrom("Bearer ", "BEARER authToken="),
  })
  .map((r) => ({
    method: r.method,
    path: `/api/${SELF_PROJECT}/${r.call.op}`,
    query: r.method === "GET" ? r.call.query : "",
    accept: r.accept,
    contentType: r.contentType === undefined ? r.call.contentType : r.contentType,
    body: r.bodyEdits === undefined ? r.call.body : mutate(r.call.body, r.bodyEdits),
    auth: { kind: "viewer", via: r.via, form: r.form },
    ip: undefined,
  }));

// ---------------------------------------------------------------------------------------------
// Generators: credentials that cannot write.

type AuthSpec =
  | { readonly kind: "none" }
  | { readonly kind: "raw"; readonly value: string }
  | { readonly kind: "bearer"; readonly form: string; readonly value: string }
  | { readonly kind: "forged"; readonly form: string; readonly name: Forged }
  | { readonly kind: "mutated"; readonly form: string; readonly edits: Edit[] }
  | { readonly kind: "scramReal"; readonly tokenEdits: Edit[] | null; readonly data: string }
  | { readonly kind: "viewer"; readonly via: "token" | "key" | "fresh"; readonly form: string };

const bearerForm = fc.constantFrom("Bearer ", "BEARER authToken=", "bearer  ", "Bearer\t", "BEARER ");

const authArb: fc.Arbitrary<AuthSpec> = fc.oneof(
  { withCrossShrink: true },
  { weight: 3, arbitrary: fc.constant({ kind: "none" as const }) },
  { weight: 1, arbitrary: headerText(80).map((value) => ({ kind: "raw" as const, value })) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          "Basic YWRtaW46YWRtaW4=",
          "Digest username=admin",
          "Bearer",
          "Bearer ",
          "HELLO",
          "SCRAM",
          "hello username",
          "HELLO username=",
          "HELLO username=YWRtaW4, username=YWRtaW4",
          "HELLO username=!!!",
          "HELLO username=/w",
          "HELLO username=YWRtaW4===",
          "SCRAM handshakeToken=",
          "SCRAM data=abc",
          "SCRAM handshakeToken=a.b, data=",
          "SCRAM handshakeToken=a.b, data=bixuPWFkbWluLHI9eA",
          "Negotiate abc",
          "Bearer a b",
          "BEARER authToken=",
          "bearer authToken=a,b",
          "Bearer hlk_",
          "Bearer hlk_0123456789abcdef_",
          "Bearer hlk_0123456789abcdef_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ),
        fc.integer({ min: 4_000, max: 6_000 }).map((n) => `Bearer ${"a".repeat(n)}.b`),
        fc
          .tuple(
            fc.constantFrom("HELLO", "SCRAM", "hello", "scram"),
            fc.dictionary(fc.constantFrom("username", "handshakeToken", "data", "hash", "x"), b64url(0, 60), {
              maxKeys: 4,
            }),
          )
          .map(
            ([scheme, params]) =>
              `${scheme} ${Object.entries(params)
                .map(([k, v]) => `${k}=${v}`)
                .join(", ")}`,
          ),
        fc.string({ unit: "grapheme", maxLength: 16 }).map((u) => `HELLO username=${toBase64Url(utf8Bytes(u))}`),
      )
      .map((value) => ({ kind: "raw" as const, value })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        bearerForm,
        fc.oneof(
          fc.tuple(b64url(0, 120), b64url(0, 60)).map(([a, b]) => `${a}.${b}`),
          b64url(1, 80),
          headerText(60),
          fc.tuple(fc.oneof(hex16, b64url(0, 20)), b64url(40, 45)).map(([id, s]) => `hlk_${id}_${s}`),
        ),
      )
      .map(([form, value]) => ({ kind: "bearer" as const, form, value })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(bearerForm, fc.constantFrom(...FORGED))
      .map(([form, name]) => ({ kind: "forged" as const, form, name })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(bearerForm, headerEdits).map(([form, e]) => ({ kind: "mutated" as const, form, edits: e })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.option(headerEdits, { nil: null }),
        fc.oneof(
          fc.constantFrom(
            "n,,n=admin,r=abc",
            "n,,n=fuzz-user,r=abc",
            "y,,n=fuzz-user,r=x,e=1",
            "n,,n=,r=",
            "p=x,,n=fuzz-user,r=y",
            "c=biws,r=abc,p=AAAA",
          ),
          fc.string({ unit: "binary", maxLength: 40 }),
        ),
      )
      .map(([tokenEdits, data]) => ({ kind: "scramReal" as const, tokenEdits, data })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom("token", "key", "fresh") as fc.Arbitrary<"token" | "key" | "fresh">, bearerForm)
      .map(([via, form]) => ({ kind: "viewer" as const, via, form })),
  },
);

const queryArb = fc.oneof(
  { withCrossShrink: true },
  { weight: 3, arbitrary: fc.constant("") },
  {
    weight: 4,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.oneof(fc.constantFrom("filter", "id", "range", "limit", "navId", "watchId"), fc.string({ maxLength: 8 })),
          fc.oneof(filterTextArb, rangeArb, refArb, limitArb),
        ),
        { maxLength: 4 },
      )
      .map((pairs) => new URLSearchParams(pairs).toString()),
  },
  { weight: 1, arbitrary: headerText(60) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 95, max: 130 })
      .map((n) => Array.from({ length: n }, (_, i) => `a${i}=${i}`).join("&")),
  },
);

interface RequestSpec {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly accept: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string | Uint8Array | undefined;
  readonly auth: AuthSpec;
  /** cf-connecting-ip, which the handshake rate limit counts by. */
  readonly ip: string | undefined;
}

const requestArb: fc.Arbitrary<RequestSpec> = fc.record({
  method: methodArb,
  path: pathArb,
  query: queryArb,
  accept: acceptArb,
  contentType: contentTypeArb,
  body: bodyArb,
  auth: authArb,
  ip: fc.option(fc.ipV4(), { nil: undefined }),
});

// ---------------------------------------------------------------------------------------------
// Sending.

interface Credential {
  readonly header?: string;
  readonly mayRead: boolean;
  readonly viewer: boolean;
  readonly label: string;
}

async function credential(a: AuthSpec, path: string): Promise<Credential> {
  const none = { mayRead: false, viewer: false };
  switch (a.kind) {
    case "none":
      return { ...none, label: "no auth" };
    case "raw":
      return { ...none, header: a.value, label: `raw ${JSON.stringify(a.value.slice(0, 80))}` };
    case "bearer":
      return { ...none, header: a.form + a.value, label: `bearer garbage ${JSON.stringify(a.value.slice(0, 80))}` };
    case "forged":
      return { ...none, header: a.form + forged[a.name], label: `forged token (${a.name})` };
    case "mutated": {
      // A mutation may leave a token that still verifies (base64url padding bits): it stays a viewer.
      const t = mutate(mutantBase, a.edits);
      return { header: a.form + t, mayRead: true, viewer: false, label: `mutated viewer token ${JSON.stringify(t)}` };
    }
    case "scramReal": {
      const token = a.tokenEdits ? mutate(helloToken, a.tokenEdits) : helloToken;
      const header = `SCRAM handshakeToken=${token}, data=${toBase64Url(utf8Bytes(a.data))}`;
      return { ...none, header, label: `SCRAM after a real HELLO, data ${JSON.stringify(a.data)}` };
    }
    case "viewer": {
      const viewer = { mayRead: true, viewer: true };
      if (a.via === "key") return { ...viewer, header: a.form + viewerKey, label: "viewer API key" };
      // close revokes the token it is sent with: such calls get a token of their own.
      const fresh = a.via === "fresh" || /close/i.test(path);
      const token = fresh ? await mintToken(p, "viewer", `fresh-${++freshViewers}`) : viewerToken;
      return { ...viewer, header: a.form + token, label: fresh ? "fresh viewer token" : "viewer token" };
    }
  }
}

/** Sends one fuzzed request; undefined when no client could send it (fetch refuses the method or a header). */
async function send(spec: RequestSpec): Promise<Sent | undefined> {
  const path = spec.path.split(SELF_PROJECT).join(p);
  let url: URL;
  try {
    url = new URL(`${BASE}${path}${spec.query ? `?${spec.query}` : ""}`);
  } catch {
    return undefined;
  }
  const cred = await credential(spec.auth, honoPath(url));
  let req: Request;
  try {
    const headers = new Headers();
    if (cred.header !== undefined) headers.set("authorization", cred.header);
    if (spec.accept !== undefined) headers.set("accept", spec.accept);
    if (spec.contentType !== undefined) headers.set("content-type", spec.contentType);
    if (spec.ip !== undefined) headers.set("cf-connecting-ip", spec.ip);
    const noBody = ["GET", "HEAD"].includes(spec.method.toUpperCase()) || spec.body === undefined;
    req = new Request(url, { method: spec.method, headers, ...(noBody ? {} : { body: spec.body }) });
  } catch {
    return undefined;
  }
  const res = await SELF.fetch(req);
  const text = await res.text();
  const label =
    `${req.method} ${url.pathname.slice(0, 300)}${url.search.slice(0, 300)} [${cred.label}]` +
    ` accept=${JSON.stringify(spec.accept)} content-type=${JSON.stringify(spec.contentType)}`;
  return { label, method: req.method, url, mayRead: cred.mayRead, viewer: cred.viewer, res, text };
}

/** A GET with a given Authorization header. */
async function call(url: string, authorization: string, accept?: string, ip?: string): Promise<Sent> {
  const headers: Record<string, string> = { authorization };
  if (accept !== undefined) headers.accept = accept;
  if (ip !== undefined) headers["cf-connecting-ip"] = ip;
  const res = await SELF.fetch(url, { headers });
  const text = await res.text();
  return {
    label: `GET ${url.slice(BASE.length)} [${JSON.stringify(authorization.slice(0, 300))}] accept=${JSON.stringify(accept)}`,
    method: "GET",
    url: new URL(url),
    mayRead: false,
    viewer: false,
    res,
    text,
  };
}

// ---------------------------------------------------------------------------------------------

describe("HTTP fuzz: no crash, clear errors, nothing written without write credentials", () => {
  beforeAll(setUp, TEST_TIMEOUT_MS);

  // First, while SELF.fetch is still fast: 200 requests.
  it(
    "200 random, forged, expired, tampered and foreign tokens: 401 (403 for another project's), never 200",
    async () => {
      const keys = await rightKeys();
      const now = Date.now();
      const day = 3_600_000;
      const cases: { token: string; kind: string; status: number }[] = [];
      const add = (kind: string, status: number, tokens: readonly string[]) => {
        for (const token of tokens) cases.push({ token, kind, status });
      };
      const roles: readonly Role[] = ["viewer", "operator", "admin"];

      const random = fc.tuple(b64url(1, 200), b64url(0, 60)).map(([a, b]) => `${a}.${b}`);
      add("random", 401, fc.sample(random, { numRuns: 50, seed: 20_240_101 }));
      const wrong = await Promise.all(
        [0, 1, 2].map((i) => deriveKeys(`wrong-secret-${i}-padded-to-be-long-enough-for-it`)),
      );
      const wrongTokens = Array.from({ length: 30 }, (_, i) =>
        issueAuthToken(wrong[i % 3] as SigningKeys, {
          user: i % 2 ? "admin" : `u${i}`,
          project: p,
          role: roles[i % 3] as Role,
          nowMs: now,
          ttlMs: day,
        }),
      );
      add(
        "wrong secret",
        401,
        (await Promise.all(wrongTokens)).map((t) => t.token),
      );
      const expired = Array.from({ length: 30 }, (_, i) =>
        issueAuthToken(keys, {
          user: "admin",
          project: p,
          role: "admin",
          nowMs: now - day - 1_000 - i * 60_000,
          ttlMs: day,
        }),
      );
      add(
        "expired",
        401,
        (await Promise.all(expired)).map((t) => t.token),
      );
      const foreign = Array.from({ length: 30 }, (_, i) =>
        issueAuthToken(keys, { user: "admin", project: `other-${i}`, role: "admin", nowMs: now, ttlMs: day }),
      );
      add(
        "another project",
        403,
        (await Promise.all(foreign)).map((t) => t.token),
      );
      const base = await mintToken(p, "viewer", "tamper-base");
      const changes: Record<string, unknown>[] = [
        { role: "admin" },
        { role: "operator" },
        { prj: `${p}x` },
        { exp: now + 1e12 },
        { sub: "admin", role: "admin" },
        { typ: "hello" },
        { rl: 1e9 },
        { jti: "x" },
        { iat: 0 },
        { role: "admin", exp: now + 10 },
      ];
      add("tampered", 401, [
        ...changes.map((c) => tamper(base, c)),
        ...changes.map((c) => tamper(forged.otherProject, { ...c, prj: p })),
      ]);
      const handshakeStates = Array.from({ length: 20 }, (_, i) =>
        signToken(keys.token, { typ: i % 2 ? "hello" : "scram", u: "admin", prj: p, exp: now + 60_000 + i }),
      );
      add("handshake state", 401, await Promise.all(handshakeStates));
      const valid = { typ: "auth", sub: "admin", prj: p, role: "admin", jti: "j", iat: now, exp: now + day };
      const malformed: Record<string, unknown>[] = [
        { typ: "auth", exp: now + day },
        { ...valid, role: "root" },
        { ...valid, jti: undefined },
        { ...valid, iat: undefined },
        { ...valid, sub: 1 },
        { ...valid, rl: -1 },
        { ...valid, rl: 1.5 },
        { ...valid, exp: `${now + day}` },
        { ...valid, typ: "Auth" },
        { ...valid, role: ["admin"] },
      ];
      const signed = (c: Record<string, unknown>) => signToken(keys.token, c as { typ: string; exp: number });
      add("malformed claims", 401, [
        ...(await Promise.all(malformed.map(signed))),
        // The same, expired.
        ...(await Promise.all(malformed.map((c) => signed({ ...c, exp: now - 1 })))),
      ]);
      expect(cases).toHaveLength(200);

      const wrongAnswers: string[] = [];
      for (const [i, c] of cases.entries()) {
        const authorization = i % 2 ? `Bearer ${c.token}` : `BEARER authToken=${c.token}`;
        const s = await call(`${BASE}/api/${p}/about`, authorization);
        checkReply(s);
        if (s.res.status !== c.status) {
          wrongAnswers.push(`${c.kind} #${i} ${JSON.stringify(c.token)}: ${s.res.status} ${s.text.slice(0, 160)}`);
        }
      }
      expect(wrongAnswers).toEqual([]);
      await expectUnchanged();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a viewer: reads with fuzzed filters, ranges, refs and bodies answer clearly; writes are refused with 403",
    async () => {
      await fuzz(viewerRequestArb, async (spec) => {
        const s = await send(spec);
        if (s) checkReply(s);
      });
      await expectUnchanged();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "any method, path, header, credential and body that cannot write",
    async () => {
      let sent = 0;
      await fuzz(requestArb, async (spec) => {
        const s = await send(spec);
        if (!s) return;
        sent++;
        checkReply(s);
      });
      expect(sent).toBeGreaterThan(20);
      await expectUnchanged();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "the auth exchange with garbage at each step: HELLO, client-first, client-final never crash or let in",
    async () => {
      const user = fc.oneof(
        fc.constantFrom("admin", "fuzz-user", "nobody", "a,b", "n=x", "=3D", "ü", "x".repeat(300)),
        fc.string({ unit: "grapheme", maxLength: 20 }),
      );
      const spec = fc.record({
        user,
        ip: fc.ipV4(),
        accept: sometimes(acceptArb, 30),
        path: fc.constantFrom(
          "/api/$/about",
          "/api/$/read",
          "/api/$/commit",
          "/api/$/nope",
          "/admin/$/users",
          "/ts/$/x",
        ),
        helloExtra: fc.oneof(
          { weight: 6, arbitrary: fc.constant("") },
          { weight: 1, arbitrary: fc.constantFrom(", hash=SHA-256", ", username=YWRtaW4", ", x=1", ",") },
        ),
        gs2: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom("n,,", "y,,") },
          { weight: 1, arbitrary: fc.constantFrom("p=tls-server-end-point,,", "", "n,a=admin,", "x,,", "n,") },
        ),
        firstName: sometimes(user, 20),
        clientNonce: fc.oneof(b64url(0, 30), fc.string({ maxLength: 20 })),
        firstExtra: fc.oneof(
          { weight: 6, arbitrary: fc.constant("") },
          { weight: 1, arbitrary: fc.constantFrom(",e=1", ",m=ext", ",r=dup", ",,") },
        ),
        firstEdits: sometimes(editsArb(), 20),
        firstTokenEdits: sometimes(headerEdits, 15),
        firstRaw: sometimes(headerText(40), 10),
        channel: fc.oneof(
          { weight: 3, arbitrary: fc.constant("c=biws") },
          { weight: 1, arbitrary: fc.constantFrom("c=eSws", "c=", "c=biws=", "", "c=bixhPWFkbWluLA") },
        ),
        nonceMode: fc.constantFrom("same", "same", "prefix", "other", "none"),
        proof: fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toBase64), headerText(50), fc.constant("")),
        finalEdits: sometimes(editsArb(), 30),
        finalTokenEdits: sometimes(headerEdits, 20),
      });
      await fuzz(spec, async (r) => {
        const url = `${BASE}${r.path.replace("$", p)}`;
        const helloHeader = `HELLO username=${toBase64Url(utf8Bytes(r.user))}${r.helloExtra}`;
        const hello = await call(url, helloHeader, r.accept, r.ip);
        checkReply(hello);
        const t1 = challenge(hello.res.headers.get("www-authenticate")).get("handshakeToken");
        if (hello.res.status !== 401 || !t1) return;

        const name = (r.firstName ?? r.user).replace(/=/g, "=3D").replace(/,/g, "=2C");
        const firstText = mutate(`${r.gs2}n=${name},r=${r.clientNonce}${r.firstExtra}`, r.firstEdits ?? []);
        const firstData = r.firstRaw ?? toBase64Url(utf8Bytes(firstText));
        const token1 = r.firstTokenEdits ? mutate(t1, r.firstTokenEdits) : t1;
        const first = await call(url, `SCRAM handshakeToken=${token1}, data=${firstData}`, r.accept, r.ip);
        checkReply(first);
        if (first.res.status === 200) fail(first, "a client-first message was accepted as a login");
        const c2 = challenge(first.res.headers.get("www-authenticate"));
        const t2 = c2.get("handshakeToken");
        const sf = c2.get("data");
        if (first.res.status !== 401 || !t2 || !sf) return;

        const nonce = /(?:^|,)r=([^,]*)/.exec(textOfBase64Url(sf))?.[1] ?? "";
        const finalNonce = { same: nonce, prefix: nonce.slice(0, -1), other: `${nonce}x`, none: "" }[r.nonceMode];
        const finalText = mutate(`${r.channel},r=${finalNonce},p=${r.proof}`, r.finalEdits ?? []);
        const token2 = r.finalTokenEdits ? mutate(t2, r.finalTokenEdits) : t2;
        const finalHeader = `SCRAM handshakeToken=${token2}, data=${toBase64Url(utf8Bytes(finalText))}`;
        const final = await call(url, finalHeader, r.accept, r.ip);
        checkReply(final);
        if (final.res.status === 200 || final.res.headers.has("authentication-info")) {
          fail(final, "a client-final message without the password logged in");
        }
      });
      await expectUnchanged();
    },
    TEST_TIMEOUT_MS,
  );
});
