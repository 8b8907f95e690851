// Issue 5, "done when", as a new user would try it in the demo (started with a real SMTP test
// server): the coordinator opens this week's meeting and turns the graffiti flag into an action
// for the housing company; the housing company's user marks it done and the follow-up view shows
// the area before and after; a reporter presses the alert button and the forum's contact persons
// get e-mail within seconds; the weekly digest arrives at the SMTP server; a share link opens the
// weekly report without an account. Every page passes axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite({ smtp: true });
const TITLE = `Sanera klottret vid Stortorget ${Date.now() % 100000}`;

/** The demo forum's page, reached by links as a user would. */
async function forumPage(page) {
  await page.goto(`${env.demo.url}/forum`);
  await page.getByRole('link', { name: 'EST Trelleborg', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: /EST Trelleborg/ }).waitFor();
}

function inDays(n) {
  const d = new Date(Date.now() + n * 86_400_000);
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(d);
}

test('the weekly digest arrives at the test SMTP server', async () => {
  // The Monday 07:00 job is due as soon as the demo starts (unless it is Monday before seven:
  // then the command sends it, as an operator would).
  let got;
  try {
    got = await env.smtp.waitFor((ms) => ms.some((m) => m.headers.subject?.startsWith('Veckosammanfattning EST Trelleborg')), 15_000);
  } catch {
    const out = execFileSync(env.demo.bin, [
      '--database-url', `sqlite://${join(env.demo.dataDir, 'brygga.db')}`, 'digest', 'send', '--forum', 'EST Trelleborg',
      '--smtp-url', `smtp://127.0.0.1:${env.smtp.port}`, '--mail-from', 'brygga@demo.example',
    ]);
    assert.match(String(out), /"sent":\d+/);
    got = await env.smtp.waitFor((ms) => ms.some((m) => m.headers.subject?.startsWith('Veckosammanfattning EST Trelleborg')));
  }
  const digest = got.find((m) => m.headers.subject.startsWith('Veckosammanfattning EST Trelleborg') && m.rcpt_tos.includes('samordnare@trelleborg.example'));
  assert.ok(digest, 'the coordinator got the digest');
  assert.match(digest.body, /Klotter vid Stortorget: \d+ rapporter/);
  assert.match(digest.body, /\/konto\/sammanfattning/);
  assert.ok(digest.headers['message-id'], 'a stable Message-ID');
});

test('the coordinator opens this week’s meeting and turns the flag into an action for the housing company', async () => {
  const page = await newPage(env.browser);
  await login(page, env.demo.url, 'samordnare@trelleborg.example');
  await forumPage(page);
  await page.getByRole('link', { name: 'Veckans avstämning' }).click();
  await axe(page, 'meetings list');
  await page.getByRole('button', { name: /Öppna veckans avstämning/ }).click();
  await page.getByRole('heading', { level: 1, name: /Avstämning v\. \d+/ }).waitFor();
  await axe(page, 'meeting (agenda)');
  const item = page.locator('article.meeting-item', { has: page.getByRole('heading', { name: /Klotter vid Stortorget/ }) }).first();
  await item.getByLabel('Vad ska göras?').fill(TITLE);
  await item.getByLabel('Ansvarig organisation').selectOption({ label: 'AB Trelleborgshem' });
  await item.getByLabel('Klart senast').fill(inDays(7));
  await item.getByLabel('Kräver inga polisiära befogenheter').check();
  await page.getByLabel('Trelleborgs kommun').check();
  await item.getByRole('button', { name: /Gör beslutet till åtgärd/ }).click();
  await page.getByText(TITLE).first().waitFor();
  await axe(page, 'meeting after a decision');
  await page.getByRole('link', { name: 'Protokoll för utskrift' }).first().click();
  await page.getByText(TITLE).first().waitFor();
  assert.match(await page.locator('main').innerText(), /AB Trelleborgshem/);
  await axe(page, 'meeting minutes');
});

test('the housing company marks it done and the follow-up shows the area before and after', async () => {
  const page = await newPage(env.browser);
  await login(page, env.demo.url, 'fastighet@trelleborgshem.example');
  await forumPage(page);
  await page.getByRole('link', { name: 'Åtgärdslista' }).click();
  await axe(page, 'action list');
  await page.getByRole('link', { name: TITLE }).click();
  await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
  await axe(page, 'action');
  await page.getByRole('combobox', { name: /^Status/ }).selectOption({ label: 'Klar' });
  await page.getByLabel(/Resultat/).fill('Klottret sanerat och väggen ljust målad.');
  await page.getByRole('button', { name: /Spara status/ }).click();
  await page.getByRole('definition').filter({ hasText: 'Klottret sanerat och väggen ljust målad.' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Klar/);
  await axe(page, 'action done');

  await forumPage(page);
  await page.getByRole('link', { name: 'Uppföljning' }).click();
  await axe(page, 'follow-up');
  const done = page.locator('section.actions-outcome', { has: page.getByRole('heading', { name: TITLE }) });
  await done.waitFor();
  assert.match(await done.innerText(), /AB Trelleborgshem · klar .* · Klotter · Stortorget/);
  // Four weeks before (last week's flare-up among them) and the completion week after.
  const rows = await done.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
  const before = rows.filter((r) => /före/i.test(r[1]));
  const after = rows.filter((r) => /efter/i.test(r[1]));
  assert.equal(before.length, 4, JSON.stringify(rows));
  assert.ok(after.length >= 1, JSON.stringify(rows));
  assert.ok(Number(before[3][2]) >= 10, `last week's graffiti flare-up shows before the action: ${JSON.stringify(rows)}`);
  assert.match(await done.locator('.actions-mean-before').innerText(), /^\d+(,\d+)?$/);
});

test('a reporter presses the alert button and the contact persons get e-mail within seconds', async () => {
  const page = await newPage(env.browser);
  await login(page, env.demo.url, 'faltassistent@trelleborg.example');
  await forumPage(page);
  await page.locator('main').getByRole('link', { name: 'Larm', exact: true }).click();
  await axe(page, 'forum alerts');
  await page.getByRole('link', { name: /Tryck på knappen/ }).click();
  await axe(page, 'alert form');
  const what = `Brand i soprum vid Stortorget ${Date.now() % 100000}`;
  await page.getByLabel(/Vad händer/).fill(what);
  await page.getByLabel('Akut – nu').check();
  const place = page.getByLabel('Plats', { exact: true });
  await place.selectOption(await place.locator('option', { hasText: 'Stortorget' }).first().getAttribute('value'));
  const before = env.smtp.messages().length;
  const pressed = Date.now();
  await page.getByRole('button', { name: /Skicka larm|larma/i }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(what) }).waitFor();
  await axe(page, 'alert raised');
  const got = await env.smtp.waitFor((ms) => {
    const alerts = ms.slice(before).filter((m) => m.headers.subject?.includes(what));
    return ['samordnare@trelleborg.example', 'kommunpolis@polisen.example'].every((a) => alerts.some((m) => m.rcpt_tos.includes(a)));
  }, 10_000);
  const seconds = (Date.now() - pressed) / 1000;
  console.log(`alert to both contact persons' inboxes: ${seconds.toFixed(2)} s`);
  assert.ok(seconds < 10, `within seconds (${seconds} s)`);
  const mail = got.find((m) => m.headers.subject?.includes(what));
  assert.match(mail.headers.subject, /^LARM \(Akut – nu\)/);
  assert.match(mail.body, /\/larm\/\d+/);

  // The police contact acknowledges in the app; the alert shows who and when.
  const police = await newPage(env.browser);
  await login(police, env.demo.url, 'kommunpolis@polisen.example');
  await police.goto(new URL(mail.body.match(/https?:\/\/\S+\/larm\/\d+/)[0]).pathname.replace(/^/, env.demo.url));
  await axe(police, 'alert (recipient)');
  await police.getByRole('button', { name: /Kvittera/ }).click();
  await police.getByText(/Karim Kommunpolis/).first().waitFor();
  assert.doesNotMatch(await police.locator('main').innerText(), /Karim Kommunpolis[^\n]*inte kvitterat/);
  await police.getByLabel(/Sammanfattning/).fill('Räddningstjänsten släckte; inga skadade.');
  await police.getByRole('button', { name: /Avsluta/ }).click();
  await police.getByText('Räddningstjänsten släckte; inga skadade.').waitFor();
  await axe(police, 'alert closed');
});

test('a share link opens the weekly report without an account and can be revoked', async () => {
  const page = await newPage(env.browser);
  await login(page, env.demo.url, 'samordnare@trelleborg.example');
  await forumPage(page);
  await page.getByRole('link', { name: 'Delade länkar' }).click();
  await axe(page, 'share links');
  await page.getByLabel(/Namn/).fill('Skolornas rektorer');
  await page.getByRole('button', { name: /Skapa/ }).click();
  const link = (await page.locator('main').innerText()).match(/https?:\/\/\S+\/delad\/[A-Za-z0-9_-]+/)[0];
  await axe(page, 'share link created');
  const outsider = await newPage(env.browser);
  await outsider.goto(link);
  await outsider.getByRole('heading', { level: 1 }).waitFor();
  const text = await outsider.locator('body').innerText();
  assert.match(text, /Trelleborg/);
  assert.doesNotMatch(text, /Nya taggar på fasaden|Logga ut/, 'no free text, not signed in');
  await axe(outsider, 'shared weekly report');
  await page.goto(page.url());
  await page.getByRole('button', { name: /Återkalla/ }).first().click();
  await page.getByText(/återkallad/i).first().waitFor();
  const gone = await outsider.goto(link);
  assert.equal(gone.status(), 410);
  await axe(outsider, 'revoked share link');
});
