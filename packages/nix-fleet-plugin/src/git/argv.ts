// Pure builders of git argument arrays (run through nix/run.ts like every other tool).

/** Exit 0 when git tracks `file` (relative to the repository's work tree). */
export function gitIsTrackedArgs(file: string): string[] {
  return ['ls-files', '--error-unmatch', '--', file];
}

/** Exit 0 when .gitignore ignores `file`, 1 when it does not, 128 outside a repository. */
export function gitIsIgnoredArgs(file: string): string[] {
  return ['check-ignore', '-q', '--no-index', '--', file];
}
