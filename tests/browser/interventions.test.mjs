// Issue 15, "done when" (interventions): two organisations get an overlap hint and the one that
// may not read the other's record learns nothing more than allowed. In the demo, Trelleborg
// municipality's "Fotboll fredag kväll för unga i Centrum" (shared with EST Trelleborg, not
// discoverable) and IK Söderslätt Fotboll's "Kvällsfotboll för tonåringar" (own only, but
// discoverable) overlap. The municipality learns that the club runs something overlapping and
// whom to contact; the club learns only that an overlap exists. Also the register, one
// intervention, the form with bad input, the helhetsbild and the regional network. Every page
// passes axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite();

test('two organisations get an overlap hint; the one that may not read the other learns only what is allowed', async () => {
  const base = env.demo.url;

  // The municipality's coordinator.
  const page = await newPage(env.browser);
  await login(page, base, 'samordnare@trelleborg.example');
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Insatser', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Pågående insatser' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Fotboll fredag kväll för unga i Centrum' }).count(), 1);
  assert.equal(await page.getByRole('link', { name: 'Kvällsfotboll för tonåringar' }).count(), 0, 'the club keeps its intervention to itself');
  await axe(page, 'insatser (lista)');

  await page.getByRole('link', { name: /Överlappande insatser/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Överlappande insatser' }).waitFor();
  const hints = await page.locator('main').innerText();
  assert.match(hints, /Fotboll fredag kväll för unga i Centrum/);
  assert.match(hints, /Det finns en annan insats som överlappar med er\. Ni har inte tillgång till den\./);
  assert.match(hints, /IK Söderslätt Fotboll/, 'discoverable: the owner is named');
  assert.match(hints, /ungdom@iksoderslatt\.example/, 'discoverable: the contact is shown');
  assert.doesNotMatch(hints, /Kvällsfotboll|tonåringar|14–18|poäng/, 'nothing of its content');
  await axe(page, 'överlappande insatser (kommunen)');

  // One intervention, then the helhetsbild of Trelleborg.
  await page.getByRole('link', { name: 'Fotboll fredag kväll för unga i Centrum' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'Fotboll fredag kväll för unga i Centrum' }).waitFor();
  await axe(page, 'insats');
  await page.getByRole('link', { name: 'Trelleborg', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: /Helhetsbild: Trelleborg/ }).waitFor();
  assert.equal(await page.locator('svg').count() > 0, true);
  assert.doesNotMatch(await page.locator('main').innerText(), /Kvällsfotboll/);
  await axe(page, 'helhetsbild');

  // The form: a reversed period is named at the field and what was typed stays.
  await page.goto(`${base}/insatser/ny`);
  await page.getByRole('heading', { level: 1, name: 'Registrera en insats' }).waitFor();
  await axe(page, 'ny insats');
  await page.getByLabel(/^Insatsens namn/).fill('Läxhjälp på biblioteket');
  await page.getByLabel(/^Beskrivning/).fill('Läxhjälp varje tisdag eftermiddag.');
  await page.getByRole('group', { name: 'Kommuner' }).getByLabel('Trelleborg').check();
  await page.getByLabel(/^Startar/).fill('2026-09-01');
  await page.getByLabel(/^Slutar/).fill('2026-01-01');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.getByRole('heading', { name: 'Det finns fel i formuläret' }).waitFor();
  assert.equal(await page.getByLabel(/^Insatsens namn/).inputValue(), 'Läxhjälp på biblioteket');
  assert.match(await page.locator('.error-summary').innerText(), /innan den börjar/);
  await axe(page, 'ny insats (fel)');

  // The regional network.
  await page.goto(`${base}/natverk`);
  await page.getByRole('link', { name: 'Nätverket för brottsförebyggande samordnare i Skåne' }).click();
  await page.getByRole('heading', { level: 1, name: 'Nätverket för brottsförebyggande samordnare i Skåne' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Lova Länssamordnare/, 'a member organisation sees the persons');
  await axe(page, 'nätverk');

  // The club's leader: a hint, and nothing but that it exists.
  const club = await newPage(env.browser);
  await login(club, base, 'ungdom@iksoderslatt.example');
  await club.goto(`${base}/insatser/overlapp`);
  await club.getByRole('heading', { level: 1, name: 'Överlappande insatser' }).waitFor();
  const theirs = await club.locator('main').innerText();
  assert.match(theirs, /Kvällsfotboll för tonåringar/);
  assert.match(theirs, /Det finns en annan insats som överlappar med er\. Ni har inte tillgång till den\./);
  assert.doesNotMatch(theirs, /Trelleborgs kommun|Fotboll fredag|Centrum|falt@trelleborg|13–16|poäng/, 'not discoverable: nothing more');
  await axe(club, 'överlappande insatser (föreningen)');
});
