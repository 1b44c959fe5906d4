// Options of the init generator, as in schema.json.
export interface InitGeneratorSchema {
  /** Also write the fleet skeleton (flake.nix, packages/profiles, docs, hosts/) where it is missing. */
  fleet?: boolean;
  /** The admin's age public key for .sops.yaml (else SOPS_AGE_KEY_FILE's, else a placeholder). */
  adminAgeKey?: string;
  skipFormat?: boolean;
}
