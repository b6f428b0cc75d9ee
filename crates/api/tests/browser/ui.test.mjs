// The web UI in a real browser (Debian's Chromium driven by playwright-core), against a fresh
// `muninn demo --no-serve` data directory served by the binary on 127.0.0.1:0. Run by
// `cargo xtask test` (or `cargo xtask browser`), which installs what it needs; environment:
// MUNINN_BIN (the binary), MUNINN_BROWSER_DIR (where playwright-core is installed),
// MUNINN_SCREENSHOTS (where every page's screenshot goes), CHROMIUM (the browser).
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import assert from "node:assert/strict";

const bin = process.env.MUNINN_BIN || "target/debug/muninn";
const browserDir = process.env.MUNINN_BROWSER_DIR || "target/browser";
const shots = process.env.MUNINN_SCREENSHOTS || path.join(browserDir, "screenshots");
const require = createRequire(path.resolve(browserDir, "package.json"));
const { chromium } = require("playwright-core");
mkdirSync(shots, { recursive: true });

const started = Date.now();
const work = mkdtempSync(path.join(tmpdir(), "muninn-browser-"));
const data = path.join(work, "demo", "data");

function muninn(args, env = {}) {
  const run = spawnSync(bin, args, { env: { ...process.env, ...env }, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`muninn ${args.join(" ")} failed (${run.status}): ${run.stderr}${run.stdout}`);
  return run.stdout;
}

console.log("browser: loading the demo");
muninn(["demo", "--dir", path.join(work, "demo"), "--no-serve", "--json"]);
// A reader of another organisation: must not see the demo CERT's AMBER+STRICT material.
muninn(["--data-dir", data, "admin", "org-add", "other-org", "--name", "Another organisation"]);
muninn(["--data-dir", data, "admin", "user-add", "outsider", "--org", "other-org", "--role", "reader", "--password-env", "OUTSIDER_PASSWORD"], { OUTSIDER_PASSWORD: "outsider-password" });
// A little knowledge base: what Sandworm (an entity of the demo's gazetteer) uses and targets,
// so the entity graph has STIX relationships to filter by.
const green = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
const stamp = "2024-01-01T00:00:00.000Z";
const sdo = (type, n, name, extra = {}) => ({ type, spec_version: "2.1", id: `${type}--00000000-0000-4000-8000-${String(n).padStart(12, "0")}`, created: stamp, modified: stamp, name, object_marking_refs: [green], ...extra });
const actor = sdo("intrusion-set", 1, "Sandworm Team", { aliases: ["Sandworm", "Voodoo Bear"] });
const industroyer = sdo("malware", 2, "Industroyer", { is_family: true });
const blackEnergy = sdo("malware", 3, "BlackEnergy", { is_family: true });
const grid = sdo("identity", 4, "Ukrainian electricity distributors", { identity_class: "class", sectors: ["utilities"] });
const rel = (n, type, source, target) => ({ type: "relationship", spec_version: "2.1", id: `relationship--00000000-0000-4000-8000-${String(n).padStart(12, "0")}`, created: stamp, modified: stamp, relationship_type: type, source_ref: source.id, target_ref: target.id, object_marking_refs: [green] });
const bundleFile = path.join(work, "sandworm-bundle.json");
// Turla (ATT&CK's, in the demo's knowledge base) is named with Sandworm in a dozen items, so it
// is among the page's neighbours, and it impersonates the distributors: a type of link Sandworm
// has none of, which expanding Turla brings to the graph.
const turla = { id: "intrusion-set--7a19ecb1-3c65-4de3-a230-993516aed6a6" };
writeFileSync(bundleFile, JSON.stringify({ type: "bundle", id: "bundle--00000000-0000-4000-8000-000000000099", objects: [actor, industroyer, blackEnergy, grid, rel(10, "uses", actor, industroyer), rel(11, "uses", actor, blackEnergy), rel(12, "targets", actor, grid), rel(13, "impersonates", turla, grid)] }));
muninn(["--data-dir", data, "import", "stix", bundleFile]);
const sharedFile = path.join(work, "shared-tooling.jsonl");
writeFileSync(sharedFile, Array.from({ length: 12 }, (_, i) => JSON.stringify({ title: `Sandworm and Turla tooling overlap, note ${i + 1}`, body: `Analysts compared Sandworm and Turla implants (sample ${i + 1}).` })).join("\n") + "\n");
muninn(["--data-dir", data, "ingest", sharedFile, "--source", "browser-notes", "--tlp", "green"]);
// An incident of Sandworm in Ukraine, so the entity page lists it and draws a dot on its map.
const incidentsFile = path.join(work, "incidents.csv");
writeFileSync(incidentsFile, "date,place,country,actor,type,tlp\n2016-12-17,Pivnichna substation,Ukraine,Sandworm,sabotage,green\n");
muninn(["--data-dir", data, "import", "incidents", incidentsFile]);
console.log(`browser: demo ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

const server = spawn(bin, ["--data-dir", data, "serve", "--listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "pipe"] });
// Whatever happens (a failed launch, an exception), the server and the demo go with us.
process.on("exit", () => {
  server.kill("SIGTERM");
  // The server may still be writing its index as it stops (a run failed once removing the
  // directory under it): retry, and a directory that still cannot go is said, not a failure.
  try {
    rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch (error) {
    console.log(`browser: could not remove ${work}: ${error.message}`);
  }
});
process.on("uncaughtException", (error) => {
  console.log(`FAIL ${error.stack || error}`);
  process.exit(1);
});
process.on("unhandledRejection", (error) => {
  console.log(`FAIL ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
const base = await new Promise((resolve, reject) => {
  let out = "";
  const timer = setTimeout(() => reject(new Error(`the server did not start: ${out}`)), 60000);
  server.stdout.on("data", (chunk) => {
    out += chunk;
    const found = out.match(/serving on (http:\/\/127\.0\.0\.1:\d+)\//);
    if (found) { clearTimeout(timer); resolve(found[1]); }
  });
  server.stderr.on("data", (chunk) => { out += chunk; });
  server.on("exit", (code) => reject(new Error(`the server exited with ${code}: ${out}`)));
});

// The browser as a path (playwright wants one): CHROMIUM, looked up on PATH if it is a name.
let executable = process.env.CHROMIUM || "chromium";
if (!executable.includes("/")) executable = spawnSync("sh", ["-c", `command -v ${executable}`], { encoding: "utf8" }).stdout.trim();
const browser = await chromium.launch({ executablePath: executable, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
let passed = 0, failed = 0;
const violations = [];

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy|Refused to/.test(message.text())) violations.push(message.text());
  });
  page.on("pageerror", (error) => violations.push(`script error: ${error.message}`));
  page.setDefaultTimeout(15000);
  return page;
}

async function signIn(page, user, password) {
  await page.goto(`${base}/login`);
  await page.fill("#user", user);
  await page.fill("#password", password);
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  assert.ok(!page.url().includes("/login"), `${user} signed in (at ${page.url()})`);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

async function step(name, body) {
  const t = Date.now();
  try {
    await body();
    passed += 1;
    console.log(`ok   ${name} (${Date.now() - t} ms)`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}: ${error.stack || error}`);
  }
}

const analyst = await newPage();
let strictItem = null;

await step("sign in", async () => {
  await analyst.goto(`${base}/alerts`);
  assert.ok(analyst.url().includes("/login?next="), "nobody is sent to sign in");
  await shot(analyst, "01-login");
  await analyst.fill("#user", "analyst");
  await analyst.fill("#password", "demo-analyst-password");
  await Promise.all([analyst.waitForNavigation(), analyst.click("button[type=submit]")]);
  assert.ok(analyst.url().endsWith("/alerts"), `back where it was going: ${analyst.url()}`);
  const cookies = await analyst.context().cookies();
  const session = cookies.find((c) => c.name === "muninn_session");
  assert.ok(session && session.httpOnly && session.sameSite === "Strict", "an HttpOnly, SameSite=Strict session cookie");
});

await step("search", async () => {
  await analyst.goto(`${base}/`);
  await analyst.keyboard.press("/");
  await analyst.keyboard.type('sandworm OR "frozen lighthouse"');
  const t = Date.now();
  await Promise.all([analyst.waitForNavigation(), analyst.keyboard.press("Enter")]);
  await analyst.waitForSelector("li.hit");
  const took = Date.now() - t;
  assert.ok(took < 1000, `search page in ${took} ms`);
  const hits = await analyst.locator("li.hit").count();
  assert.ok(hits > 0, "hits");
  assert.ok(await analyst.locator("section.facet").count() > 0, "facets");
  assert.ok(await analyst.locator("svg.bars rect.bar").count() > 0, "histogram");
  assert.ok(await analyst.locator(".tlp-banner strong").first().isVisible(), "TLP banner");
  assert.ok(await analyst.locator("p.snippet mark").count() > 0, "highlighted snippets");
  await shot(analyst, "02-search");
  // A facet adds a filter.
  await Promise.all([analyst.waitForNavigation(), analyst.locator("section.facet li a").first().click()]);
  assert.ok(decodeURIComponent(analyst.url()).includes("tlp:") || decodeURIComponent(analyst.url()).includes(":"), analyst.url());
  // The AMBER+STRICT item the outsider must not see.
  await analyst.goto(`${base}/search?q=${encodeURIComponent("tlp:amber+strict")}`);
  const href = await analyst.locator("li.hit a.title").first().getAttribute("href");
  strictItem = href.split("/items/")[1];
  assert.ok(strictItem, "an AMBER+STRICT item");
});

await step("the search page is interactive in under 1 s", async () => {
  // A search with facets and a histogram over the test's data, timed by the browser's own
  // navigation timing: the server's answer and the page made ready from it.
  await analyst.goto(`${base}/search?q=${encodeURIComponent('sandworm OR "frozen lighthouse" OR tlp:green')}`);
  assert.ok(await analyst.locator("section.facet").count() > 0, "facets");
  await analyst.waitForFunction(() => performance.getEntriesByType("navigation")[0].loadEventEnd > 0);
  const timing = await analyst.evaluate(() => JSON.parse(JSON.stringify(performance.getEntriesByType("navigation")[0])));
  const ms = (value) => Math.round(value);
  const server = ms(timing.responseEnd - timing.requestStart);
  const toInteractive = ms(timing.domContentLoadedEventEnd - timing.responseEnd);
  const toLoaded = ms(timing.loadEventEnd - timing.responseEnd);
  const total = ms(timing.loadEventEnd - timing.startTime);
  console.log(`     search page: answer ${server} ms, responseEnd→domContentLoaded ${toInteractive} ms, responseEnd→load ${toLoaded} ms, navigation start→load ${total} ms`);
  assert.ok(toLoaded < 1000, `ready ${toLoaded} ms after the answer`);
  assert.ok(total < 1000, `loaded ${total} ms after the navigation started`);
});

await step("open an item", async () => {
  await analyst.goto(`${base}/search?q=sandworm`);
  await analyst.keyboard.press("j");
  await Promise.all([analyst.waitForNavigation(), analyst.keyboard.press("o")]);
  assert.ok(analyst.url().includes("/items/"), analyst.url());
  assert.ok(await analyst.locator(".tlp-banner").first().isVisible(), "markings banner");
  assert.ok(await analyst.locator("section.provenance dd").count() > 4, "provenance");
  assert.ok(await analyst.locator(".body a.entity, .body a.ioc, h1 a.entity").count() > 0, "highlighted entities or indicators");
  await shot(analyst, "03-item");
});

await step("open an entity graph and expand it", async () => {
  await analyst.goto(`${base}/entities/Sandworm`);
  await analyst.waitForSelector("#entity-graph g");
  const before = await analyst.locator("#entity-graph g").count();
  assert.ok(before > 1, `neighbours drawn (${before})`);
  const filterRels = () => analyst.$$eval("input[data-graph-rel]", (boxes) => boxes.map((b) => b.getAttribute("data-graph-rel")));
  const relsBefore = await filterRels();
  assert.ok(!relsBefore.includes("stix-impersonates"), `no 'impersonates' link before (${relsBefore})`);
  await analyst.locator('#entity-graph g[aria-label="Turla"] circle').click();
  await analyst.waitForFunction(() => document.querySelectorAll("#entity-graph .expanded").length > 0);
  // Expanding Turla brings its knowledge-base links, among them a type the page did not have:
  // the filter offers it too, and every type drawn has its box.
  await analyst.waitForFunction((known) => [...document.querySelectorAll("input[data-graph-rel]")].some((b) => !known.includes(b.getAttribute("data-graph-rel"))), relsBefore);
  const relsAfter = await filterRels();
  const added = relsAfter.filter((rel) => !relsBefore.includes(rel));
  assert.ok(added.includes("stix-impersonates"), `the new type (${added})`);
  assert.ok(await analyst.locator("#entity-graph g").count() > before, "new neighbours drawn");
  const drawnRels = await analyst.$$eval("#entity-graph line[data-rel]", (lines) => [...new Set(lines.map((l) => l.getAttribute("data-rel")))]);
  for (const rel of drawnRels) assert.ok(relsAfter.includes(rel), `a filter for the drawn type ${rel} (filters: ${relsAfter})`);
  const addedLines = `#entity-graph line[data-rel="${added[0]}"]`;
  assert.ok(await analyst.locator(addedLines).count() > 0, `links of the new type ${added[0]} drawn`);
  assert.match(await analyst.locator("fieldset.graph-filter label.added").first().textContent(), /\(\d+\)$/, "with its count");
  await analyst.locator(`input[data-graph-rel="${added[0]}"]`).uncheck();
  assert.equal(await analyst.locator(addedLines).count(), 0, `the new type ${added[0]} hidden`);
  await analyst.locator(`input[data-graph-rel="${added[0]}"]`).check();
  assert.ok(await analyst.locator(addedLines).count() > 0);
  assert.ok(await analyst.locator("svg.bars rect.bar").count() > 0, "timeline of mentions");
  // The map of places: a dot for Ukraine linking to its incidents, and the incident listed.
  assert.equal(await analyst.locator('svg.places-map a[href="/incidents?country=UA"] circle.place-dot').count(), 1, "map of places");
  assert.ok(await analyst.locator("section.entity-incidents tbody tr").count() > 0, "incidents of the entity");
  // The knowledge base's relationships are drawn and can be filtered by type.
  assert.ok(await analyst.locator('input[data-graph-rel="stix-uses"]').count() === 1, "a 'uses' filter");
  assert.ok(await analyst.locator("#entity-graph polygon.stix").count() >= 3, "STIX neighbours drawn");
  await shot(analyst, "04-entity");
  const rects = await analyst.locator("#entity-graph rect").count();
  assert.ok(rects > 0, "indicators drawn");
  await analyst.locator('input[data-graph-rel="indicator"]').uncheck();
  assert.equal(await analyst.locator("#entity-graph rect").count(), 0, "indicators hidden");
  // The demo's ATT&CK links Sandworm by other types too: 'uses' goes, the rest stays.
  const stixShown = await analyst.locator("#entity-graph polygon.stix").count();
  await analyst.locator('input[data-graph-rel="stix-uses"]').uncheck();
  assert.equal(await analyst.locator('#entity-graph line[data-rel="stix-uses"]').count(), 0, "no 'uses' link drawn");
  assert.ok(await analyst.locator("#entity-graph polygon.stix").count() < stixShown, "'uses' neighbours hidden");
  assert.equal(await analyst.locator('#entity-graph g[aria-label="Industroyer"]').count(), 0, "a 'uses' neighbour hidden");
  assert.equal(await analyst.locator('#entity-graph g[aria-label="Ukrainian electricity distributors"]').count(), 1, "the 'targets' neighbour left");
  assert.ok(await analyst.locator('#neighbours li[data-rel="stix-uses"]').first().isHidden(), "the list follows the filter");
  await analyst.locator('input[data-graph-rel="stix-uses"]').check();
  assert.ok(await analyst.locator("#entity-graph polygon.stix").count() >= 3);
});

await step("incidents from the navigation", async () => {
  await analyst.goto(`${base}/search?q=sandworm`);
  await Promise.all([analyst.waitForNavigation(), analyst.click('header nav a[href="/incidents"]')]);
  assert.ok(analyst.url().endsWith("/incidents"), analyst.url());
  assert.equal(await analyst.locator('header nav a.active').textContent(), "Incidents");
  assert.ok(await analyst.locator("main table tbody tr").count() > 0, "the imported incident listed");
  await shot(analyst, "17-incidents");
});

await step("duplicates: decide that two actors are one, then withdraw it", async () => {
  await Promise.all([analyst.waitForNavigation(), analyst.click('header nav a[href="/duplicates"]')]);
  assert.equal(await analyst.locator("header nav a.active").textContent(), "Duplicates");
  const suggested = await analyst.locator("#suggestions tbody tr").count();
  assert.ok(suggested > 0, "ATT&CK and the MISP galaxy share actors");
  const first = analyst.locator("#suggestions tbody tr").first();
  const names = await first.locator("td.object a").allTextContents();
  await first.locator('input[name="note"]').fill("same actor in both sources");
  await Promise.all([analyst.waitForNavigation(), first.locator('button[value="accepted"]').click()]);
  assert.match(await analyst.locator(".notice.ok").textContent(), /the two are the same thing/);
  const decided = analyst.locator("#decided tbody tr").first();
  assert.equal(await decided.locator("td.verdict").textContent(), "same");
  assert.deepEqual(await decided.locator("td.object a").allTextContents(), names);
  assert.ok(await analyst.locator(".tlp-banner strong").first().isVisible(), "TLP banner");
  await shot(analyst, "18-duplicates");
  await Promise.all([analyst.waitForNavigation(), decided.locator('button:has-text("Withdraw")').click()]);
  assert.match(await analyst.locator(".notice.ok").textContent(), /both objects stand alone again/);
  assert.equal(await analyst.locator("#decided tbody tr").count(), 0);
  assert.equal(await analyst.locator("#suggestions tbody tr").count(), suggested, "the pair is suggested again");
});

await step("triage an alert, and see a new one arrive live", async () => {
  await analyst.goto(`${base}/alerts?state=new`);
  const rows = await analyst.locator("#alert-rows tr").count();
  assert.ok(rows > 0, "alerts to triage");
  const acknowledged = await analyst.locator("#alert-rows tr").first().getAttribute("data-key");
  await analyst.locator('#alert-rows tr input[name="key"]').first().check();
  await analyst.fill('input[name="note"]', "seen in the browser test");
  await Promise.all([analyst.waitForNavigation(), analyst.click('button[value="acknowledged"]')]);
  await analyst.waitForSelector(".notice.ok");
  assert.match(await analyst.locator(".notice").first().textContent(), /^1 alerts changed; 0 refused/);
  // The demo has more new alerts than a page shows: the next one may take the row's place.
  assert.equal(await analyst.locator(`#alert-rows tr[data-key="${acknowledged}"]`).count(), 0, "the acknowledged alert left the queue");
  assert.ok(await analyst.locator("#alert-rows tr").count() <= rows);
  await shot(analyst, "05-alerts");
  // The queue is live: an import that hits the watchlist prepends its alert.
  await analyst.waitForFunction(() => (document.getElementById("live-status") || {}).textContent === "● live");
  const importer = await newPage();
  await signIn(importer, "analyst", "demo-analyst-password");
  await importer.goto(`${base}/import`);
  await importer.selectOption('select[name="format"]', "text");
  await importer.selectOption('select[name="tlp"]', "green");
  await importer.setInputFiles("#import-file", { name: "live-report.txt", mimeType: "text/plain", buffer: Buffer.from(`Browser test ${Date.now()}: Voodoo Bear infrastructure seen again.\n`) });
  await importer.click('#import-form button[type="submit"]');
  await importer.waitForSelector('#import-result dd[data-field="stored"]');
  assert.equal(await importer.locator('#import-result dd[data-field="stored"]').textContent(), "1");
  await shot(importer, "06-import");
  await analyst.waitForSelector("#alert-rows tr.live-new");
  await shot(analyst, "07-alerts-live");
  await importer.context().close();
});

await step("watchlist: test a text and see each hit explained", async () => {
  await analyst.goto(`${base}/watchlists`);
  await shot(analyst, "08-watchlists");
  await Promise.all([analyst.waitForNavigation(), analyst.locator("a.open").first().click()]);
  await analyst.fill('form[action$="/test"] textarea[name="text"]', "Абу Бакр аль-Багдади was named with APT44 <script>alert(1)</script>");
  await Promise.all([analyst.waitForNavigation(), analyst.click('button:has-text("Screen")')]);
  const explained = await analyst.locator("ol.explanations li").count();
  assert.ok(explained >= 2, `hits explained (${explained})`);
  assert.equal(await analyst.locator("script:not([src])").count(), 0, "the payload stayed text");
  await shot(analyst, "09-watchlist-test");
});

await step("watchlist: create a list, add and edit an entry, import a file", async () => {
  await analyst.goto(`${base}/watchlists`);
  await analyst.fill('#new-list-form input[name="name"]', "browser <b>watch</b>");
  await analyst.selectOption('#new-list-form select[name="tlp"]', "amber");
  await Promise.all([analyst.waitForNavigation(), analyst.click('#new-list-form button[type="submit"]')]);
  assert.match(await analyst.locator(".notice.ok").first().textContent(), /Watchlist created/);
  assert.equal(await analyst.locator("h1").first().textContent(), "browser <b>watch</b>", "the name is text");
  assert.ok(await analyst.locator(".tlp-banner strong").first().isVisible(), "TLP banner");
  // An entry, typed with the keyboard only.
  await analyst.focus('#entry-form input[name="text"]');
  await analyst.keyboard.type("Voodoo Bear");
  await analyst.fill('#entry-form textarea[name="aliases"]', "Sandworm Team\nIRON VIKING");
  await analyst.selectOption('#entry-form select[name="severity"]', "high");
  await analyst.fill('#entry-form input[name="note"]', "added by the browser test");
  await Promise.all([analyst.waitForNavigation(), analyst.keyboard.press("Enter")]);
  assert.match(await analyst.locator(".notice.ok").first().textContent(), /Entry e1 saved/);
  // The aliases field is for names only.
  await analyst.selectOption("#entry-kind", "indicator");
  assert.ok(await analyst.locator(".aliases-field").isHidden(), "no aliases for an indicator");
  await analyst.selectOption("#entry-kind", "name");
  // Edit it: j selects the row, o opens its editor.
  await analyst.keyboard.press("Escape");
  await analyst.keyboard.press("j");
  await Promise.all([analyst.waitForNavigation(), analyst.keyboard.press("o")]);
  assert.ok(analyst.url().includes("edit=e1"), analyst.url());
  assert.equal(await analyst.locator("#entry h2").textContent(), "Edit entry e1");
  await analyst.selectOption('#entry-form select[name="severity"]', "critical");
  await shot(analyst, "12-watchlist-edit");
  await Promise.all([analyst.waitForNavigation(), analyst.click('#entry-form button[type="submit"]')]);
  assert.equal(await analyst.locator("table.entries td.sev").first().textContent(), "critical");
  // A file: the UN consolidated list, with a result per record.
  await analyst.selectOption('#watchlist-import select[name="format"]', "un");
  await analyst.setInputFiles("#watchlist-file", "crates/screen/test_data/import/un-consolidated.xml");
  await Promise.all([analyst.waitForNavigation(), analyst.click('#watchlist-import button[type="submit"]')]);
  const added = Number(await analyst.locator('#import-result dd[data-field="added"]').textContent());
  assert.ok(added > 5, `entries added (${added})`);
  assert.ok(await analyst.locator("#import-result tr.outcome-added").count() === added, "a row per record");
  await shot(analyst, "13-watchlist-import");
  // A reader sees the list but not the forms that change it.
  const reader = await newPage();
  await signIn(reader, "reader", "demo-reader-password");
  await reader.goto(`${base}/watchlists`);
  assert.equal(await reader.locator("#new-list-form").count(), 0, "readers do not create lists");
  await reader.context().close();
});

await step("export what a query finds as STIX 2.1 and MISP", async () => {
  await analyst.goto(`${base}/search?q=sandworm`);
  await Promise.all([analyst.waitForNavigation(), analyst.click('a:has-text("Export…")')]);
  assert.ok(analyst.url().includes("/export?q=sandworm"), analyst.url());
  const items = Number(await analyst.locator('#export-preview dd[data-field="items"]').textContent());
  assert.ok(items > 0, "items to export");
  assert.ok(await analyst.locator(".tlp-banner strong").first().isVisible(), "the export's TLP banner");
  await shot(analyst, "14-export");
  for (const format of ["stix", "misp"]) {
    const [download] = await Promise.all([analyst.waitForEvent("download"), analyst.click(`a[data-format="${format}"]`)]);
    const file = JSON.parse(readFileSync(await download.path(), "utf8"));
    if (format === "stix") {
      assert.equal(file.type, "bundle");
      assert.ok(file.objects.some((o) => o.type === "report"), "a report");
    } else {
      assert.ok(file.Event && file.Event.Tag[0].name.startsWith("tlp:"), "a MISP event with its TLP");
    }
  }
});

await step("sharing for administrators only", async () => {
  const response = await analyst.goto(`${base}/sharing`);
  assert.equal(response.status(), 404, "the page of a missing one");
  assert.equal(await analyst.locator('header nav a[href="/sharing"]').count(), 0);
  const admin = await newPage();
  await signIn(admin, "admin", "demo-admin-password");
  await admin.goto(`${base}/sharing`);
  assert.ok(await admin.locator("table.collections tr.row").count() > 0, "the demo's collection");
  assert.ok(await admin.locator("table.access td.yes").count() > 0, "who may read it");
  // A new collection for the other organisation, through the form (the admin's own
  // organisation is a writer already).
  await admin.fill('#new-collection-form input[name="title"]', "Browser <b>partners</b>");
  await admin.fill('#new-collection-form textarea[name="description"]', "made by the browser test");
  await admin.locator('#new-collection-form input[name="reader"][value="other-org"]').check();
  await Promise.all([admin.waitForNavigation(), admin.click('#new-collection-form button[type="submit"]')]);
  assert.match(await admin.locator(".notice.ok").first().textContent(), /^Collection created: Browser <b>partners<\/b> at \/taxii2\//);
  assert.equal(await admin.locator("table.collections tr.row strong", { hasText: "Browser <b>partners</b>" }).count(), 1);
  await shot(admin, "15-sharing");
  await admin.context().close();
});

await step("audit trail for administrators only", async () => {
  const response = await analyst.goto(`${base}/audit`);
  assert.equal(response.status(), 403);
  const admin = await newPage();
  await signIn(admin, "admin", "demo-admin-password");
  await admin.goto(`${base}/audit`);
  assert.match(await admin.locator(".notice").first().textContent(), /The chain verifies/);
  assert.ok(await admin.locator("table.audit tr").count() > 5);
  await shot(admin, "10-audit");
  await admin.context().close();
});

await step("a reader of another organisation cannot see an AMBER+STRICT item", async () => {
  assert.ok(strictItem, "found earlier");
  const outsider = await newPage();
  await signIn(outsider, "outsider", "outsider-password");
  const missing = await outsider.goto(`${base}/items/00000000000000000000000000000000`);
  const missingText = await outsider.locator("main").textContent();
  const response = await outsider.goto(`${base}/items/${strictItem}`);
  assert.equal(response.status(), 404);
  assert.equal(missing.status(), 404);
  assert.equal(await outsider.locator("main").textContent(), missingText, "the same page as a missing item");
  await shot(outsider, "11-outsider-not-found");
  await outsider.goto(`${base}/search?q=${encodeURIComponent("tlp:amber+strict")}`);
  assert.equal(await outsider.locator("li.hit").count(), 0, "no AMBER+STRICT hit");
  const api = await outsider.goto(`${base}/api/v1/items/${strictItem}`);
  assert.equal(api.status(), 404);
  await outsider.context().close();
});

await step("sign out, and the live queue of the same session stops", async () => {
  // A second tab of the same session, live on the alert queue.
  const queue = await analyst.context().newPage();
  queue.on("pageerror", (error) => violations.push(`script error: ${error.message}`));
  await queue.goto(`${base}/alerts`);
  await queue.waitForFunction(() => (document.getElementById("live-status") || {}).textContent === "● live");
  await analyst.goto(`${base}/`);
  await Promise.all([analyst.waitForNavigation(), analyst.click("header .who button")]);
  assert.ok(analyst.url().includes("/login"));
  await analyst.goto(`${base}/alerts`);
  assert.ok(analyst.url().includes("/login"), "the session is gone");
  // The next alert finds the stream's session revoked: the queue says so instead of the alert.
  const importer = await newPage();
  await signIn(importer, "analyst", "demo-analyst-password");
  const upload = await importer.evaluate(async (text) => {
    const csrf = document.body.getAttribute("data-csrf");
    const response = await fetch("/api/v1/items?format=text&tlp=green", { method: "POST", headers: { "X-CSRF-Token": csrf, "Content-Type": "application/octet-stream" }, body: text });
    return response.json();
  }, `After sign-out ${Date.now()}: Voodoo Bear again.\n`);
  assert.ok(upload.alerts > 0, JSON.stringify(upload));
  await queue.waitForSelector('#session-ended a[href^="/login?next=%2Falerts"]');
  assert.equal(await queue.locator("#live-status").textContent(), "○ session ended");
  assert.equal(await queue.locator("#alert-rows tr.live-new").count(), 0, "no alert after sign-out");
  await shot(queue, "16-alerts-session-ended");
  await importer.context().close();
});

await step("no Content-Security-Policy violation or script error on any page", async () => {
  assert.deepEqual(violations, []);
});

await browser.close();
console.log(`browser: screenshots in ${shots}`);
console.log(`browser: ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
