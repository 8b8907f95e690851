// Issue 14, "done when" (steering): the county coordinator quality-assures a submitted activity
// plan, presents it at the planned steering meeting (its agenda generated from the groups' state)
// and logs an uppdrag — refused first without its owner and due date — and follows it up; the
// deliverables show the toolbox delivered but never distributed; the steering report shows the
// unmeasurable goal, the undistributed toolbox and the load on each organisation. Every page
// added passes axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite();

/** A field's label, exactly, whether or not it is marked "(obligatoriskt)". */
const L = (text) => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\(obligatoriskt\\))?\\s*$`);
const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const TOOLBOX = 'Verktygslåda för lokala lägesbilder';
const GROUP = 'Samverkan för färre återfall i brott';
const TASK = 'Redovisa hur återfallsarbetet följs upp i kommunerna';

test('the county coordinator presents a quality-assured plan at a steering meeting and logs a decision', async () => {
  const page = await newPage(env.browser);
  const base = env.demo.url;
  await login(page, base, 'lansamordnare@lansstyrelsen.example');

  // The programme flags what was delivered and never spread, and leads to the steering group.
  await page.getByRole('link', { name: 'Program', exact: true }).click();
  await page.getByRole('link', { name: 'Skåne tillsammans mot brott' }).click();
  await page.getByRole('heading', { level: 1, name: 'Skåne tillsammans mot brott' }).waitFor();
  assert.match(await page.locator('main .notice').filter({ hasText: 'Levererad men inte spridd' }).innerText(), new RegExp(TOOLBOX));
  await axe(page, 'programme (with the steering links)');

  // Quality-assure the submitted plan of the prison and probation service's group.
  await page.getByRole('link', { name: GROUP }).click();
  await page.getByRole('link', { name: 'Inlämnad' }).click();
  await page.getByLabel(L('Kommentar')).fill('Godkänd för styrgruppen.');
  await page.getByRole('button', { name: 'Kvalitetssäkra och godkänn' }).click();
  await page.getByText('Ändringarna har sparats.').waitFor();

  // The steering group: members, meetings, open uppdrag (one overdue).
  await page.goto(`${base}/program`);
  await page.getByRole('link', { name: 'Skåne tillsammans mot brott' }).click();
  await page.getByRole('link', { name: 'Styrgrupp, möten och beslut' }).click();
  await page.getByRole('heading', { level: 1, name: /Styrgrupp/ }).waitFor();
  assert.match(await page.locator('#ledamoter ~ table').first().innerText(), /Landshövding\s+Ordförande/);
  assert.match(await page.locator('main').innerText(), /Försenat/);
  await axe(page, 'steering group');

  // The planned meeting: the agenda generated from the groups' state; fetch what came up since.
  await page.locator('#moten ~ table a').first().click();
  await page.getByRole('heading', { level: 1, name: /Styrgruppsmöte/ }).waitFor();
  const agenda = page.locator('ol.agenda');
  assert.match(await agenda.innerText(), new RegExp(TOOLBOX));
  assert.match(await agenda.innerText(), /Uppdrag att följa upp/);
  assert.match(await agenda.innerText(), /Mål som inte går att följa eller ligger efter/);
  await axe(page, 'steering meeting (planned)');
  await page.getByRole('button', { name: 'Hämta nytt från läget' }).click();
  await page.getByText('Ändringarna har sparats.').waitFor();
  const item = agenda.locator('li').filter({ hasText: `${GROUP}: aktivitetsplanen` });
  assert.match(await item.innerText(), /kvalitetssäkrad/);

  // Present it at the meeting.
  await item.getByRole('button', { name: 'Presentera planen vid mötet' }).click();
  await page.getByText('Ändringarna har sparats.').waitFor();
  await agenda.locator('li').filter({ hasText: `${GROUP}: aktivitetsplanen` }).getByRole('button', { name: 'Fastställ planen vid mötet' }).waitFor();
  await axe(page, 'steering meeting (plan presented)');

  // An uppdrag without owner and due date is refused; then logged.
  await page.getByLabel(L('Typ')).selectOption('assignment');
  await page.getByLabel(L('Beslutet')).fill(TASK);
  await page.getByRole('button', { name: 'Protokollför beslutet' }).click();
  await page.getByRole('heading', { name: 'Det finns fel i formuläret' }).waitFor();
  assert.match(await page.locator('.error-summary').innerText(), /Ett uppdrag behöver en ansvarig organisation/);
  assert.match(await page.locator('.error-summary').innerText(), /Ett uppdrag behöver ett slutdatum/);
  assert.equal(await page.getByLabel(L('Beslutet')).inputValue(), TASK, 'the text is kept');
  await axe(page, 'steering meeting (decision refused)');
  await page.getByLabel(L('Ansvarig organisation (uppdrag)')).selectOption({ label: 'Kriminalvården region Syd' });
  const due = new Date();
  due.setDate(due.getDate() + 60);
  await page.getByLabel(L('Klart senast (uppdrag)')).fill(iso(due));
  await page.getByRole('button', { name: 'Protokollför beslutet' }).click();
  await page.getByText('Uppgifterna har sparats.').waitFor();
  const decisions = await page.locator('#beslut ~ .table-wrap table').innerText();
  assert.match(decisions, new RegExp(TASK));
  assert.match(decisions, /Kriminalvården region Syd/);

  // Follow it up.
  await page.getByRole('link', { name: TASK }).click();
  await page.getByRole('heading', { level: 1, name: /Beslut § \d+: Uppdrag/ }).waitFor();
  await axe(page, 'steering decision');
  await page.getByLabel(L('Uppföljning')).fill('Redovisning planerad till nästa möte.');
  await page.getByRole('button', { name: 'Spara uppföljningen' }).click();
  await page.getByText('Ändringarna har sparats.').waitFor();

  // The deliverables: the toolbox delivered and never spread.
  await page.goto(`${base}/program`);
  await page.getByRole('link', { name: 'Skåne tillsammans mot brott' }).click();
  await page.getByRole('link', { name: 'Leveranser och spridning' }).click();
  await page.getByRole('heading', { level: 1, name: /Leveranser och spridning/ }).waitFor();
  const row = page.getByRole('row').filter({ hasText: TOOLBOX });
  assert.match(await row.innerText(), /Levererad men inte spridd/);
  await axe(page, 'deliverables');
  await row.getByRole('link', { name: TOOLBOX }).click();
  await page.getByRole('heading', { level: 1, name: TOOLBOX }).waitFor();
  await axe(page, 'deliverable');

  // The steering report of the current half-year.
  await page.goto(`${base}/program`);
  await page.getByRole('link', { name: 'Skåne tillsammans mot brott' }).click();
  await page.getByRole('link', { name: 'Styrgruppsrapport' }).click();
  await page.getByRole('heading', { level: 1, name: /Styrgruppsrapport/ }).waitFor();
  await axe(page, 'steering report (half-years)');
  await page.locator('main li').filter({ hasText: 'pågående' }).getByRole('link').first().click();
  await page.locator('article.document').waitFor();
  const report = await page.locator('article.document').innerText();
  assert.match(report, /Kräver åtgärd/, 'the unmeasurable goal');
  assert.match(report, new RegExp(`Levererad men inte spridd: ”${TOOLBOX}”`));
  assert.match(report, /Störst belastning: Länsstyrelsen Skåne är sammankallande i 3 av 7 arbetsgrupper och medlem i 6\./);
  assert.match(report, /Belastning per organisation/);
  await axe(page, 'steering report (document)');
});
