import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'
import { ServiceMissingError } from './service-missing-error.js'

/** Debian's Chromium (`npx playwright install` downloads, which these machines cannot). */
export const CHROMIUM_PATH = process.env['SLUICE_CHROMIUM'] ?? '/usr/bin/chromium'

/** A headless Chromium driven by playwright-core, for the console's browser tests. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new ServiceMissingError(`Chromium (${CHROMIUM_PATH})`, 'apt-get install -y chromium')
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}
