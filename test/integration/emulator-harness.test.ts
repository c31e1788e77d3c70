import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator } from '../support/moto';

/** A test that needs the emulator says at once, in a sentence, why it could not have it. */
describe('starting the AWS emulator', () => {
  it('without the Python tools installed: fails at once and says how to install them', async () => {
    const started = Date.now();

    const failure = startEmulator({ python: '/nonexistent/.venv/bin/python' });

    await expect(failure).rejects.toThrow(/not installed .*run `sh scripts\/setup\.sh all`\.$/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('with a Python that cannot run it: fails when it exits, with its error, not at the deadline', async () => {
    // A stand-in for a venv whose moto is missing: it fails as Python would.
    const python = path.join(mkdtempSync(path.join(tmpdir(), 'gofn-python-')), 'python');
    writeFileSync(python, `#!/bin/sh\necho "ModuleNotFoundError: No module named 'moto'" >&2\nexit 1\n`);
    chmodSync(python, 0o755);
    const started = Date.now();

    const failure = startEmulator({ python, startTimeoutMs: 60_000 });

    await expect(failure).rejects.toThrow(/^the AWS emulator exited with code 1 before answering\.\nModuleNotFound/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
