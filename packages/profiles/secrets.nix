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
  # .sops.yaml sits beside secrets/ at the flake's root. A new fleet's names the admin key as a
  # placeholder until the user gives one (@nix-fleet/nx writes it, see generators/shared/sops-admin.ts).
  sopsConfig = dirOf (dirOf cfg.sopsFile) + "/.sops.yaml";
  placeholderMark = "&admin NIX-FLEET-ADMIN-AGE-KEY-PLACEHOLDER";
  adminMissing =
    cfg.enable
    && builtins.pathExists sopsConfig
    && lib.hasInfix placeholderMark (builtins.readFile sopsConfig);
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
        {
          # Secrets encrypted without the admin could be read by the host alone, never by their owner.
          assertion = !adminMissing;
          message = "${config.networking.hostName}: .sops.yaml still has the admin key placeholder, so no secret can be encrypted for you. Put your age public key in its place: npx nx g @nix-fleet/nx:init --admin-age-key=\"$(age-keygen -y ~/.config/sops/age/keys.txt)\" (make a key first with age-keygen -o ~/.config/sops/age/keys.txt), then commit .sops.yaml (docs/Secrets.md).";
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
