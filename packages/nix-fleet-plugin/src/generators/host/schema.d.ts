// Options of the host generator, as in schema.json.
export interface HostGeneratorSchema {
  name: string;
  type: 'laptop' | 'desktop' | 'server' | 'vm';
  system?: 'x86_64-linux' | 'aarch64-linux';
  /** host.json nixpkgs; default stable for servers, unstable for the others. */
  nixpkgs?: 'stable' | 'unstable';
  targetHost?: string;
  targetUser?: string;
  /** Comma-separated, or an array when called from code. */
  roles?: string | string[];
  profiles?: string | string[];
  tags?: string | string[];
  /** The host's age public key (from its SSH host key via ssh-to-age), added to .sops.yaml. */
  ageKey?: string;
  force?: boolean;
  skipFormat?: boolean;
}
