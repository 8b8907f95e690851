// Issue 2: a coordinator signs in, registers an organisation and finds it in the list; every
// page visited passes an axe-core scan; the core path works on a phone and without JavaScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, demoSuite, login, newPage } from './lib.mjs';

const env = demoSuite();

test('coordinator registers an organisation and sees it listed', async () => {
  const page = await newPage(env.browser);
  await page.goto(`${env.demo.url}/logga-in`);
  await axe(page, 'login');
  // The skip link is the first thing the keyboard reaches.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Hoppa till innehållet');

  await login(page, env.demo.url, 'samordnare@trelleborg.example');
  await axe(page, 'overview');
  await page.getByRole('link', { name: 'Organisationer', exact: true }).click();
  await axe(page, 'organisations');
  await page.getByRole('link', { name: 'Registrera organisation' }).click();
  await axe(page, 'organisation form');

  // Submitting with mistakes: the summary names them, the fields say how to fix them.
  await page.getByLabel('Namn', { exact: false }).first().fill('Föreningen Trygga Gator');
  await page.getByLabel('Typ av organisation').selectOption('civil_society');
  await page.getByLabel('Organisationsnummer').fill('802000-0000');
  await page.getByLabel('Kommuner där organisationen verkar').fill('Trelleborg, Atlantis');
  await page.getByRole('button', { name: 'Spara' }).click();
  const summary = page.getByRole('alert');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Kontrollsiffran stämmer inte/);
  assert.match(await summary.innerText(), /Atlantis/);
  assert.equal(await page.getByLabel('Namn', { exact: false }).first().inputValue(), 'Föreningen Trygga Gator');
  await axe(page, 'organisation form with errors');

  await page.getByLabel('Organisationsnummer').fill('');
  await page.getByLabel('Kommuner där organisationen verkar').fill('Trelleborg');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.getByRole('heading', { level: 1, name: 'Föreningen Trygga Gator' }).waitFor();
  assert.match(await page.getByRole('status').innerText(), /Uppgifterna har sparats/);
  await axe(page, 'organisation profile');

  await page.getByRole('link', { name: 'Organisationer', exact: true }).click();
  await page.getByRole('link', { name: 'Föreningen Trygga Gator' }).waitFor();
});

test('every page of the foundation passes axe', async () => {
  const page = await newPage(env.browser);
  await login(page, env.demo.url, 'admin@brygga.example');
  const paths = ['/', '/organisationer', '/organisationer/1', '/organisationer/1/redigera', '/forum', '/forum/1', '/forum/nytt', '/anvandare', '/anvandare/ny', '/anvandare/2', '/logg', '/konto', '/konto/nycklar', '/polisomraden', '/drift', '/finns-inte'];
  for (const path of paths) {
    const resp = await page.goto(`${env.demo.url}${path}`);
    assert.ok(resp.status() < 500, `${path} answered ${resp.status()}`);
    await axe(page, path);
  }
  const coordinator = await newPage(env.browser);
  await login(coordinator, env.demo.url, 'samordnare@trelleborg.example');
  for (const path of ['/organisationer/8', '/forum/1/redigera', '/konto']) {
    await coordinator.goto(`${env.demo.url}${path}`);
    await axe(coordinator, `${path} (coordinator)`);
  }
});

test('the core path works on a 360 px phone without JavaScript', async () => {
  const page = await newPage(env.browser, { viewport: { width: 360, height: 740 }, javaScriptEnabled: false, isMobile: true });
  await login(page, env.demo.url, 'samordnare@trelleborg.example');
  await page.goto(`${env.demo.url}/organisationer/ny`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the form scrolls sideways by ${overflow}px on a phone`);
  await page.getByLabel('Namn', { exact: false }).first().fill('Mobilföreningen');
  await page.getByLabel('Typ av organisation').selectOption('civil_society');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.getByRole('heading', { level: 1, name: 'Mobilföreningen' }).waitFor();
  const created = page.url();

  // The same pages at phone size, scanned (axe itself needs JavaScript).
  const phone = await newPage(env.browser, { viewport: { width: 360, height: 740 }, isMobile: true });
  await phone.goto(`${env.demo.url}/logga-in`);
  await axe(phone, 'login (phone)');
  await login(phone, env.demo.url, 'samordnare@trelleborg.example');
  for (const url of [created, `${env.demo.url}/organisationer/ny`, `${env.demo.url}/organisationer`]) {
    await phone.goto(url);
    await axe(phone, `${new URL(url).pathname} (phone)`);
  }
});
