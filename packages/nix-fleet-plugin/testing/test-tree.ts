// Trees for generator specs: an empty Nx workspace (formatting off) with a small profile library.
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { PROFILES_ROOT } from '../src/constants';
import { ROLES_DIR } from '../src/generators/shared/inventory';

/** Nx 23's test tree formats with oxfmt, which is not installed: keep formatting off. */
export function emptyTree(): Tree {
  process.env.NX_SKIP_FORMAT = 'true';
  return createTreeWithEmptyWorkspace();
}

/** A tree whose packages/profiles has these profiles (files, and a server/ folder) and roles. */
export function treeWithProfiles(
  profiles = ['base', 'desktop', 'development', 'gaming', 'power-user'],
  roles = ['web', 'database', 'docker', 'monitoring'],
): Tree {
  const tree = emptyTree();
  tree.write(`${PROFILES_ROOT}/default.nix`, '# Imports every profile.\n{ ... }: { }\n');
  tree.write(`${PROFILES_ROOT}/lib/default.nix`, '# Helpers.\n{ }\n');
  tree.write(`${PROFILES_ROOT}/home/default.nix`, '# Home Manager.\n{ ... }: { }\n');
  for (const p of profiles) tree.write(`${PROFILES_ROOT}/${p}.nix`, profileModule(p));
  tree.write(`${PROFILES_ROOT}/server/default.nix`, profileModule('server'));
  // Sets a profiles.* option but is no profile of its own.
  tree.write(`${PROFILES_ROOT}/machine-type.nix`, '# Presets.\n{ lib, ... }: {\n  options.profiles.machineType = lib.mkOption { };\n}\n');
  tree.write(`${ROLES_DIR}/default.nix`, '# Imports every role.\n{ ... }: { }\n');
  for (const r of roles) tree.write(`${ROLES_DIR}/${r}.nix`, `# ${r}\n{ ... }: { }\n`);
  return tree;
}

function profileModule(name: string): string {
  const attr = name.includes('-') ? `"${name}"` : name;
  return `# ${name}\n{ lib, ... }:\n{\n  options.profiles.${attr} = {\n    enable = lib.mkEnableOption "${name}";\n  };\n}\n`;
}

/** Every file path in the tree with its content, to prove a failed generator wrote nothing. */
export function snapshotTree(tree: Tree): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const child of tree.children(dir)) {
      const path = dir ? `${dir}/${child}` : child;
      if (tree.isFile(path)) files.set(path, tree.read(path, 'utf-8') ?? '');
      else walk(path);
    }
  };
  walk('');
  return files;
}
