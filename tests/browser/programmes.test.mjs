// Issue 14, "done when" (programmes): the county coordinator sees the seven working groups' state
// at a glance — the convener, members without mandate or working time, the plan state, the
// unmeasurable goal — and quality-assures a submitted activity plan with a comment; the police
// region's convener submits the next half-year's plan. Every page added passes axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite();

/** A field's label, exactly, whether or not it is marked "(obligatoriskt)". */
const L = (text) => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\(obligatoriskt\\))?\\s*$`);

test('the county coordinator sees the groups at a glance and quality-assures a plan', async () => {
  const page = await newPage(env.browser);
  const base = env.demo.url;
  await login(page, base, 'lansamordnare@lansstyrelsen.example');

  await page.getByRole('link', { name: 'Program', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Program' }).waitFor();
  await axe(page, 'program (list)');
  await page.getByRole('link', { name: 'Skåne tillsammans mot brott' }).click();
  await page.getByRole('heading', { level: 1, name: 'Skåne tillsammans mot brott' }).waitFor();
  const rows = page.locator('table.group-state tbody tr');
  assert.equal(await rows.count(), 7, 'seven working groups');
  const state = await page.locator('table.group-state').innerText();
  assert.match(state, /Kriminalvården region Syd/);
  assert.match(state, /går inte att mäta/, 'the unmeasurable goal');
  assert.match(state, /Inlämnad/, 'a plan awaiting quality assurance');
  const load = await page.locator('#belastning + p + table').innerText();
  assert.match(load, /Länsstyrelsen Skåne\s+3\s+6/, 'the county board convenes three groups and staffs six');
  await axe(page, 'program (overview)');

  // The prison and probation service's group: its next half-year's plan waits for quality assurance.
  await page.getByRole('link', { name: 'Samverkan för färre återfall i brott' }).click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.match(await page.locator('#medlemmar + table').innerText(), /Mandat eller arbetstid saknas/);
  await axe(page, 'working group');
  await page.getByRole('link', { name: 'Inlämnad' }).click();
  await page.getByRole('heading', { level: 1, name: /Aktivitetsplan/ }).waitFor();
  await axe(page, 'activity plan workflow (submitted)');
  await page.getByLabel(L('Kommentar')).fill('Godkänd. Följ upp pilotseminarierna i nästa plan.');
  await page.getByRole('button', { name: 'Kvalitetssäkra och godkänn' }).click();
  await page.getByText('Ändringarna har sparats.').waitFor();
  const steps = await page.locator('table').filter({ hasText: 'Steg' }).innerText();
  assert.match(steps, /Kvalitetssäkrad/);
  assert.match(steps, /Godkänd\. Följ upp pilotseminarierna i nästa plan\./);
  assert.match(await page.locator('dl.facts').innerText(), /Kvalitetssäkrad/);
  await axe(page, 'activity plan workflow (quality-assured)');

  // The plan itself is an Aktivitetsplan of the plans model, with the members' contributions.
  await page.getByRole('link', { name: 'Mål, indikatorer, aktiviteter och avvikelser' }).click();
  await page.getByText(/Aktivitetsplan för halvåret/).waitFor();
  assert.match(await page.locator('#insatser ~ section.measure').first().innerText(), /Medlemmarnas bidrag/);
  await axe(page, 'activity plan (content)');

  // Forms and the county's participation.
  await page.goto(`${base}/program/nytt`);
  await axe(page, 'new programme form');
  await page.goBack();
  await page.goto(`${base}/program/deltagande/12`);
  await page.getByRole('heading', { level: 1, name: /Deltagande i Skåne/ }).waitFor();
  assert.match(await page.locator('main').innerText(), /inte deltar i något/);
  await axe(page, 'participation matrix');
});

test("the police region's convener submits the next half-year's plan", async () => {
  const page = await newPage(env.browser);
  const base = env.demo.url;
  await login(page, base, 'sammankallande@polisen.example');
  await page.getByRole('link', { name: 'Program', exact: true }).click();
  await page.getByRole('link', { name: 'Skåne tillsammans mot brott' }).click();
  await page.getByRole('link', { name: 'Utvecklad avhopparverksamhet i Skåne' }).click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  await axe(page, 'working group (convener)');
  await page.getByRole('link', { name: 'Utkast' }).click();
  await page.getByRole('button', { name: 'Lämna in planen' }).waitFor();
  await axe(page, 'activity plan workflow (draft)');
  await page.getByRole('button', { name: 'Lämna in planen' }).click();
  await page.getByText('Ändringarna har sparats.').waitFor();
  assert.match(await page.locator('dl.facts').innerText(), /Inlämnad/);
  assert.equal(await page.getByRole('button', { name: 'Lämna in planen' }).count(), 0, 'submitted once');
  await axe(page, 'activity plan workflow (submitted by the convener)');
});
