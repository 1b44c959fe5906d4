// Options of the init generator, as in schema.json.
export interface InitGeneratorSchema {
  /** Also write the fleet skeleton (flake.nix, packages/profiles, docs, hosts/) where it is missing. */
  fleet?: boolean;
  skipFormat?: boolean;
}
