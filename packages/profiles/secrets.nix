# Secrets profile: this host's sops file (secrets/<host>.yaml) for sops-nix, used once it exists.
{
  config,
  lib,
  options,
  ...
}:
let
  cfg = config.profiles.secrets;
  inherit (lib) mkIf mkOption mkEnableOption types;
  # A flake sees only files git tracks: an uncommitted secrets file does not exist here either.
  exists = cfg.enable && builtins.pathExists cfg.sopsFile;
  # toString, not interpolation: interpolating a missing path would try to copy it to the store.
  fileName = baseNameOf (toString cfg.sopsFile);
in
{
  options.profiles.secrets = {
    enable = mkEnableOption "this host's sops-encrypted secrets file (sops-nix, docs/Secrets.md)";

    sopsFile = mkOption {
      type = types.path;
      example = lib.literalExpression "../../secrets/monitoring-server.yaml";
      description = ''
        The host's sops file, encrypted for the admin and for this host's age key (its SSH
        host key; `.sops.yaml` has one creation rule per host). Becomes `sops.defaultSopsFile`.
      '';
    };

    available = mkOption {
      type = types.bool;
      readOnly = true;
      default = exists;
      defaultText = lib.literalMD "`enable` and `sopsFile` exists in the flake";
      description = ''
        Whether the sops file exists (is committed). Hosts declare their `sops.secrets` only
        when it is, so a fresh clone without secrets still evaluates and services fall back to
        passwords generated on the machine (with a warning saying so).
      '';
    };
  };

  config = mkIf cfg.enable (
    {
      assertions = [
        {
          assertion = options ? sops;
          message = "profiles.secrets needs the sops-nix NixOS module; import nixosModules.profiles from flake.nix (it includes sops-nix) or sops-nix.nixosModules.sops.";
        }
      ];

      warnings = lib.optional (!exists) "${config.networking.hostName}: profiles.secrets.sopsFile (${fileName}) is not in the flake yet, so its secrets are not used and services generate their own passwords on the machine. Create it with `sops secrets/${fileName}` and `git add` it (docs/Secrets.md).";
    }
    # Only where sops-nix is imported: a definition of an undeclared option fails even under mkIf.
    // lib.optionalAttrs (options ? sops) {
      sops.defaultSopsFile = mkIf exists cfg.sopsFile;
    }
  );
}
