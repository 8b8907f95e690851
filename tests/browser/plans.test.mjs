// Issue 13, "done when": the Trelleborg coordinator opens the demo's lägesbild and sees figures
// drawn from the data with their sources; adds a cause to a problem (keyboard only); starts a new
// version of the adopted åtgärdsplan, creates a result goal with an indicator whose baseline is
// computed from the EST series, links a measure to it and to an existing action, adopts the new
// version; marks the measure delayed and records a deviation, watching the evaluation checks
// change; prints the plan and downloads it as DOCX. Every page passes axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite();

const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const now = new Date();
// The month three months back: the demo has EST reports and crime statistics there.
const BASELINE_ON = iso(new Date(now.getFullYear(), now.getMonth() - 3, 1));
const TARGET_ON = `${now.getFullYear() + 1}-12-31`;
const TODAY = iso(now);
const GOAL = 'Färre klotterrapporter vid Stortorget under kvällstid';
const MEASURE = 'Kvällsvandringar med fastighetsvärdar kring Stortorget';
const CAUSE = 'Dålig belysning i gränderna kring torget';

/** A field's label, exactly, whether or not it is marked "(obligatoriskt)". */
const L = (text) => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\(obligatoriskt\\))?\\s*$`);

/** The failed checks on the follow-up page, as their messages. */
async function failedChecks(page) {
  return page.locator('#kontroller li.failed').allInnerTexts();
}

test('the coordinator works the chain from lägesbild to adopted plan, follow-up, print and Word', async () => {
  const page = await newPage(env.browser, { acceptDownloads: true });
  const base = env.demo.url;
  await login(page, base, 'samordnare@trelleborg.example');

  // The lägesbild: figures drawn from the data, each with its source.
  await page.getByRole('link', { name: 'Lägesbild (år)', exact: true }).click();
  await axe(page, 'lägesbilder (list)');
  await page.getByRole('row').filter({ hasText: 'Utkast' }).getByRole('link').first().click();
  await page.getByRole('heading', { level: 1, name: /Lägesbild \d{4} Trelleborg/ }).waitFor();
  const figures = page.locator('.situation-figures');
  assert.match(await figures.locator('table.situation-crime').innerText(), /Skadegörelse genom klotter/);
  const sources = await figures.locator('p.source').allInnerTexts();
  assert.ok(sources.length >= 3 && sources.every((s) => s.startsWith('Källa:')), sources.join(' | '));
  assert.match(await page.locator('.situation-problems').innerText(), /Klotter och skadegörelse i centrum/);
  await axe(page, 'lägesbild (draft)');

  // Add a cause to the problem, with the keyboard only.
  const addCause = page.getByRole('link', { name: 'Lägg till orsak till Klotter och skadegörelse i centrum' });
  await addCause.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1 }).waitFor();
  await axe(page, 'cause form');
  await page.getByLabel(L('Orsak')).focus();
  await page.keyboard.type(CAUSE);
  await page.getByLabel(L('Sida i problemtriangeln')).focus();
  await page.getByLabel(L('Sida i problemtriangeln')).selectOption('place');
  await page.getByLabel(L('Vem kan påverka den sidan')).focus();
  await page.keyboard.type('Teknisk förvaltning');
  await page.getByLabel(L('Grund')).selectOption('data');
  await page.getByLabel(L('Säkerhet')).selectOption('medium');
  await page.getByLabel(L('Vem kan påverka den sidan')).focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => !u.pathname.endsWith('/orsak'));
  assert.match(await page.locator('.situation-problems').innerText(), new RegExp(CAUSE));
  await axe(page, 'lägesbild with the new cause');

  // The adopted plan cannot change: start a new version.
  await page.getByRole('link', { name: 'Åtgärdsplaner', exact: true }).click();
  await axe(page, 'åtgärdsplaner (list)');
  await page.getByRole('link', { name: /Åtgärdsplan mot klotter och skadegörelse/ }).first().click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.match(await page.locator('dl.facts').first().innerText(), /Antagen/);
  assert.equal(await page.getByRole('link', { name: 'Lägg till ett mål' }).count(), 0, 'no editing of an adopted version');
  await axe(page, 'plan (adopted)');
  const adoptedUrl = page.url();
  await page.getByRole('button', { name: 'Starta en ny version' }).click();
  await page.waitForURL((u) => u.href !== adoptedUrl);
  assert.match(await page.locator('dl.facts').first().innerText(), /Version\s*2 \(Utkast\)/);
  await axe(page, 'plan (new draft)');
  const draftUrl = page.url();
  const planId = draftUrl.match(/atgardsplaner\/(\d+)/)[1];

  // A result goal under the effect goal.
  await page.getByRole('link', { name: 'Lägg till ett mål' }).click();
  await axe(page, 'goal form');
  await page.getByLabel(L('Måltyp')).selectOption('result');
  await page.getByLabel(L('Mål')).fill(GOAL);
  await page.getByLabel(L('Överordnat mål')).selectOption({ label: 'Effektmål: Färre skadegörelsebrott och ökad trygghet i centrum' });
  await page.getByLabel(L('Nivå')).selectOption('area');
  await page.locator('#f-problem_ids').getByLabel('Klotter och skadegörelse i centrum').check();
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.waitForURL((u) => u.pathname === `/atgardsplaner/${planId}`);
  assert.match(await page.locator('.goal-tree').innerText(), new RegExp(GOAL));

  // Its indicator, the baseline computed from the EST series.
  await page.getByRole('link', { name: `Lägg till en indikator för ${GOAL}` }).click();
  await axe(page, 'indicator form');
  await page.getByLabel(L('Indikatorns namn')).fill('Klotterrapporter vid Stortorget');
  await page.getByLabel(L('Källa')).selectOption('observations');
  await page.getByLabel(L('Kategori (EST-rapporter)')).selectOption({ label: 'Klotter' });
  await page.getByLabel(L('Plats (EST-rapporter)')).selectOption({ label: 'Stortorget' });
  await page.getByLabel(L('Enhet')).fill('rapporter per månad');
  await page.getByLabel(L('Önskad riktning')).selectOption('decrease');
  await page.getByLabel(L('Frekvens')).selectOption('monthly');
  await page.getByLabel(L('Baslinjens datum')).fill(BASELINE_ON);
  await page.getByLabel(L('Beräkna baslinjen från data')).check();
  await page.getByLabel(L('Målvärde')).fill('1');
  await page.getByLabel(L('Måldatum')).fill(TARGET_ON);
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.waitForURL((u) => u.pathname === `/atgardsplaner/${planId}`);
  const row = page.getByRole('row').filter({ hasText: 'Klotterrapporter vid Stortorget' });
  assert.match(await row.innerText(), /Källa: EST-rapporter Klotter, Stortorget, .* \(beräknat \d{4}-\d{2}-\d{2}\)/);

  // A measure for the goal, addressing a cause and carried out by an existing action.
  await page.getByRole('link', { name: 'Lägg till en insats' }).click();
  await axe(page, 'measure form');
  await page.getByLabel(L('Insats')).fill(MEASURE);
  await page.getByLabel(L('Ansvarig organisation')).selectOption({ label: 'Trelleborgs kommun' });
  await page.getByLabel(L('Start')).fill(`${now.getFullYear()}-01-15`);
  await page.getByLabel(L('Slut')).fill(TARGET_ON);
  await page.getByLabel(L('Status')).selectOption('ongoing');
  await page.getByLabel(L('Kunskapsgrund')).selectOption('documented_knowledge');
  await page.getByLabel(L('Mottagarnas delaktighet')).selectOption('consulted');
  await page.locator('#f-goal_ids').getByLabel(GOAL).check();
  await page.locator('#f-cause_ids').getByLabel(/Klotter blir kvar länge/).check();
  await page.locator('#f-action_ids').getByLabel(/Nattvandring fredag och lördag vid Stortorget/).check();
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.waitForURL((u) => u.pathname === `/atgardsplaner/${planId}`);
  const measure = page.locator('section.measure').filter({ has: page.getByRole('heading', { name: MEASURE }) });
  assert.match(await measure.innerText(), /Nattvandring fredag och lördag vid Stortorget/);
  assert.match(await measure.innerText(), new RegExp(GOAL));

  // Adopt the new version, with its decision.
  await page.getByRole('link', { name: 'Ändra planens uppgifter och beslut' }).click();
  await axe(page, 'plan header form');
  await page.getByLabel(L('Beslutsdatum')).fill(TODAY);
  await page.getByLabel(L('Diarienummer')).fill(`KS ${now.getFullYear()}/241`);
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.waitForURL((u) => u.pathname === `/atgardsplaner/${planId}`);
  await page.getByRole('button', { name: 'Anta planen' }).click();
  await page.waitForURL((u) => u.pathname === `/atgardsplaner/${planId}`);
  assert.match(await page.locator('dl.facts').first().innerText(), /Version\s*2 \(Antagen\)/);
  await axe(page, 'plan (version 2 adopted)');

  // The evaluation before the follow-up.
  await page.goto(`${base}/atgardsplaner/${planId}/uppfoljning`);
  const before = await failedChecks(page);
  assert.ok(!before.some((c) => c.includes(`”${MEASURE}” är försenad`)), before.join('\n'));
  await axe(page, 'follow-up (before)');

  // The measure is delayed: its check fails, and asks for a deviation.
  await page.goto(`${base}/atgardsplaner/${planId}`);
  const statusForm = page.locator('section.measure').filter({ has: page.getByRole('heading', { name: MEASURE }) }).locator('form.status-form');
  await statusForm.getByLabel(L('Status')).selectOption('delayed');
  await statusForm.getByLabel(L('Kommentar')).fill('Fastighetsvärdarna kunde inte börja före hösten.');
  await statusForm.getByRole('button', { name: /Spara status/ }).click();
  await page.waitForURL((u) => u.pathname === `/atgardsplaner/${planId}`);
  assert.match(await page.locator('section.measure').filter({ has: page.getByRole('heading', { name: MEASURE }) }).innerText(), /Försenad/);
  await page.goto(`${base}/atgardsplaner/${planId}/uppfoljning`);
  const delayed = await failedChecks(page);
  assert.ok(delayed.some((c) => c.includes(`”${MEASURE}” är försenad`)), delayed.join('\n'));
  assert.equal(delayed.length, before.length + 2, `delayed and without a deviation:\n${delayed.join('\n')}`);

  // Record the deviation: one check passes again.
  const form = page.locator('form[action$="/avvikelser"]');
  await form.getByLabel(L('Vad avvek')).fill('Kvällsvandringarna startade inte i september som planerat.');
  await form.getByLabel(L('Varför')).fill('Fastighetsvärdarnas schema räckte inte till under sommaren.');
  await form.getByLabel(L('Konsekvens')).fill('Färre vuxna kring torget under tidig höst.');
  await form.getByLabel(L('Åtgärd')).fill('Start i oktober med två extra kvällar i veckan.');
  await form.getByLabel(L('Beslutad av')).fill('Kommunstyrelsens arbetsutskott');
  await form.getByLabel(L('Beslutsdatum')).fill(TODAY);
  await form.getByLabel(L('Insats')).selectOption({ label: MEASURE });
  await form.getByRole('button', { name: 'Spara avvikelsen' }).click();
  await page.locator('#avvikelser').getByText('Kvällsvandringarna startade inte i september som planerat.').waitFor();
  const after = await failedChecks(page);
  assert.equal(after.length, before.length + 1, `the deviation is documented:\n${after.join('\n')}`);
  await axe(page, 'follow-up (after the deviation)');

  // Print the plan, and download it as Word.
  await page.goto(`${base}/atgardsplaner/${planId}`);
  await page.getByRole('link', { name: 'Utskrift (A4)' }).click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.match(await page.locator('body').innerText(), new RegExp(MEASURE));
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.site').isVisible(), false, 'no navigation on paper');
  await page.emulateMedia({ media: 'screen' });
  await axe(page, 'plan print view');
  await page.goto(`${base}/atgardsplaner/${planId}`);
  const href = await page.getByRole('link', { name: 'Word (DOCX)' }).getAttribute('href');
  const res = await page.request.get(`${base}${href}`);
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-type'], 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  const body = await res.body();
  assert.deepEqual([...body.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], 'a DOCX is a zip file');
});
