// Package names and versions from store paths, as builtins.parseDrvName and nvd read them.

export interface StoreName {
  path: string;
  hash: string;
  /** The whole name after the hash, e.g. "firefox-120.0.1". */
  name: string;
  /** The package name, e.g. "firefox". */
  pname: string;
  /** The version, e.g. "120.0.1"; "" when the name has none. */
  version: string;
}

const STORE_PATH = /^(.*)\/([0-9a-z]{32})-([^/]+)$/;

/** The version starts at the first dash that is followed by something other than a letter. */
export function parseDrvName(name: string): { pname: string; version: string } {
  for (let i = 0; i < name.length - 1; i++) {
    if (name[i] === '-' && !/[A-Za-z]/.test(name[i + 1])) {
      return { pname: name.slice(0, i), version: name.slice(i + 1) };
    }
  }
  return { pname: name, version: '' };
}

export function parseStorePath(path: string): StoreName {
  const m = STORE_PATH.exec(path);
  if (!m) throw new Error(`Not a store path: ${JSON.stringify(path)} (expected <store>/<32-char hash>-<name>).`);
  const [, , hash, name] = m;
  return { path, hash, name, ...parseDrvName(name) };
}
