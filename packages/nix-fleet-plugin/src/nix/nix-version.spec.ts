// The Nix version a build record names: the version number alone, as drvInstallable reads it.
import { nixVersion } from './nix-version';

it('is the version number of the nix on the PATH, asked once', async () => {
  const version = await nixVersion();
  expect(version).toMatch(/^\d+\.\d+(\.\d+)?/);
  expect(nixVersion()).toBe(nixVersion());
});
