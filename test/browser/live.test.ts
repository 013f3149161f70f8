/**
 * Live values in the explorer: a point's record view subscribes over the WebSocket, and a write
 * made elsewhere (here, over HTTP from the test) shows on screen without a reload.
 */
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { openBrowser, type Session, shot, signIn } from "./browser.ts";

let s: Session;
beforeEach(async () => {
  s = await openBrowser();
});
afterEach(async () => {
  await s.close();
});

async function api(op: string, body: string): Promise<string> {
  const t = inject("browser");
  const res = await fetch(`${t.base}/api/${t.project}/${op}`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.adminToken}`, "content-type": "text/zinc", accept: "application/json" },
    body,
  });
  const text = await res.text();
  if (!res.ok || text.includes('"err"')) throw new Error(`${op} failed: ${res.status} ${text}`);
  return text;
}

/** The first writable Number point of the demo, with its unit. */
async function writablePoint(): Promise<{ id: string; unit: string }> {
  const t = inject("browser");
  const res = await fetch(
    `${t.base}/api/${t.project}/read?filter=${encodeURIComponent('writable and kind=="Number" and unit')}&limit=1`,
    { headers: { authorization: `Bearer ${t.adminToken}`, accept: "application/json" } },
  );
  const g = (await res.json()) as { rows: { id: { val: string }; unit: string }[] };
  const row = g.rows[0];
  if (!row) throw new Error("the demo has no writable Number point");
  return { id: row.id.val, unit: row.unit };
}

describe("live values", () => {
  it("shows a point write made elsewhere through the socket, with the connection state", async () => {
    const { id, unit } = await writablePoint();
    const sockets: string[] = [];
    s.page.on("websocket", (ws) => sockets.push(ws.url()));
    await signIn(s.page);
    await s.page.goto(`/ui/#/demo/haystack/rec/${id}`);
    await s.page.waitForSelector('[data-state="live"]');
    // The token went as a subprotocol: no socket's URL carries it.
    expect(sockets.length).toBeGreaterThan(0);
    for (const url of sockets) expect(url).toMatch(/\/api\/demo\/watch\/live$/);

    const cell = s.page.locator('tr[data-tag="writeVal"] td');
    const value = 40 + Math.floor(Math.random() * 50) + 0.5;
    await api("pointWrite", `ver:"3.0"\nid,level,val,who\n@${id},9,${value}${unit},"browser test"\n`);
    await expect.poll(() => cell.textContent(), { timeout: 10_000 }).toContain(String(value));
    // The priority array follows too: level 9 holds the value, written by the test.
    const level9 = s.page.locator('#hs-array tr[data-level="9"]');
    await expect.poll(() => level9.textContent(), { timeout: 10_000 }).toContain(String(value));
    expect(await level9.textContent()).toContain("browser test");
    await shot(s.page, "live-write");

    // Released elsewhere: the tag goes away on screen too.
    await api("pointWrite", `ver:"3.0"\nid,level,val\n@${id},9,N\n`);
    await api("pointWrite", `ver:"3.0"\nid,level,val\n@${id},8,N\n`);
    await expect
      .poll(async () => (await s.page.locator('tr[data-tag="writeVal"] td').allTextContents()).join(), {
        timeout: 10_000,
      })
      .not.toContain(String(value));
    expect(s.problems).toEqual([]);
  });

  it("shows the socket's state and reconnects after the connection drops", async () => {
    const { id } = await writablePoint();
    // Keep a handle on every socket the page opens, so the test can drop one as a network would.
    await s.context.addInitScript({
      content: `window.__sockets = []; const Native = WebSocket;
        window.WebSocket = class extends Native { constructor(...a) { super(...a); window.__sockets.push(this); } };`,
    });
    await signIn(s.page);
    await s.page.goto(`/ui/#/demo/haystack/rec/${id}`);
    const badge = s.page.locator("[data-state]").first();
    await s.page.waitForSelector('[data-state="live"]');
    const states: string[] = [];
    await s.page.exposeFunction("__state", (st: string) => states.push(st));
    await s.page.evaluate(`new MutationObserver(() => __state(document.querySelector("[data-state]").dataset.state))
      .observe(document.querySelector("[data-state]"), { attributes: true })`);
    const opened = await s.page.evaluate<number>("__sockets.length");
    await s.page.evaluate("__sockets.forEach((w) => w.close(4000, 'test: connection lost'))");
    await expect.poll(() => states, { timeout: 10_000 }).toContain("reconnecting");
    await expect.poll(() => badge.getAttribute("data-state"), { timeout: 20_000 }).toBe("live");
    // Live again on a new socket, and it still pushes.
    expect(await s.page.evaluate<number>("__sockets.length")).toBeGreaterThan(opened);
    const value = 10 + Math.floor(Math.random() * 20) + 0.25;
    const { unit } = await writablePoint();
    await api("pointWrite", `ver:"3.0"\nid,level,val\n@${id},9,${value}${unit}\n`);
    await expect
      .poll(() => s.page.locator('tr[data-tag="writeVal"] td').textContent(), { timeout: 10_000 })
      .toContain(String(value));
    await api("pointWrite", `ver:"3.0"\nid,level,val\n@${id},9,N\n`);
  }, 90_000);

  it("lets a viewer signed in with a password watch live, without the priority array an operator needs", async () => {
    const t = inject("browser");
    const name = `viewer${Date.now() % 1_000_000}`;
    const password = "viewer-passphrase-1234";
    const made = await fetch(`${t.base}/admin/${t.project}/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name, password, role: "viewer" }),
    });
    expect(made.status).toBe(201);
    const { id } = await writablePoint();
    await s.page.goto("/ui/");
    await s.page.fill("#user", name);
    await s.page.fill("#password", password);
    await s.page.click("#signin-password button[type=submit]");
    await s.page.waitForURL(/#\/demo\/haystack/);
    await expect.poll(() => s.page.textContent("#who")).toContain("viewer");
    await s.page.goto(`/ui/#/demo/haystack/rec/${id}`);
    await s.page.waitForSelector('[data-state="live"]');
    // pointWrite, reading the array included, needs an operator: the viewer is told so, not refused.
    await expect.poll(() => s.page.textContent(".hs-rec-side")).toContain("needs the operator role");
    expect(await s.page.locator("#hs-write").count()).toBe(0);
    expect(await s.page.locator("#hs-array").count()).toBe(0);
    expect(await s.page.locator("#error").isHidden()).toBe(true);
    expect(s.problems).toEqual([]);
  });
});
