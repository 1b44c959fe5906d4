# Home Manager for the primary user: which home profiles (packages/profiles/home/) this host uses.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.home;
  inherit (config.profiles.base.user) name;
  inherit (lib) mkIf mkMerge mkEnableOption mkOption optional optionals types;
  # The home base profile's tools: common ones on, as in the development profile.
  enabledByDefault = description: mkEnableOption description // { default = true; };
  # Sub-profiles without the master switch would silently do nothing; say so instead.
  needsHome = sub: {
    assertion = cfg.${sub}.enable -> cfg.enable;
    message = "profiles.home.${sub} needs profiles.home.enable = true; switch Home Manager on or ${sub} off.";
  };
in
{
  options.profiles.home = {
    enable = mkEnableOption "Home Manager for the primary user, with the home base profile (shell, Git)";
    creative.enable = mkEnableOption "creative apps for the primary user: GIMP and Inkscape";
    communication.enable = mkEnableOption "chat apps for the primary user: Discord and Slack (unfree, x86_64 only)";
    productivity.enable = mkEnableOption "productivity apps for the primary user: Obsidian (unfree) and LibreOffice";

    # Read by home/base.nix (through osConfig): the essential user tools, one switch each.
    tools = {
      fzf.enable = enabledByDefault "fzf, the fuzzy finder, with its shell key bindings (Ctrl-R, Ctrl-T)";
      ripgrep.enable = enabledByDefault "ripgrep (rg), a fast recursive search";
      fd.enable = enabledByDefault "fd, a simple and fast find";
      bat.enable = enabledByDefault "bat, cat with syntax highlighting";
      eza.enable = enabledByDefault "eza, a modern ls, with ls/ll/la aliases in the shell";
      htop.enable = enabledByDefault "htop, the process viewer";
      jq.enable = enabledByDefault "jq, the JSON processor";
    };

    modules = mkOption {
      type = types.listOf types.deferredModule;
      default = [ ];
      example = lib.literalExpression "[ ./home.nix ]";
      description = ''
        Home Manager modules of this host for the primary user, after the home base profile and
        the home profiles switched on here; the host generator writes `[ ./home.nix ]`.
      '';
    };
  };

  config = mkMerge [
    {
      assertions = map needsHome [
        "creative"
        "communication"
        "productivity"
      ];
    }
    (mkIf cfg.enable {
      home-manager = {
        # One nixpkgs for system and home: same overlays, same unfree list, one evaluation.
        useGlobalPkgs = true;
        useUserPackages = true;
        # A dotfile that predates Home Manager is moved aside instead of failing activation.
        backupFileExtension = "hm-backup";
        users.${name}.imports = [
          ./home/base.nix
        ]
        ++ optional cfg.creative.enable ./home/creative.nix
        ++ optional cfg.communication.enable ./home/communication.nix
        ++ optional cfg.productivity.enable ./home/productivity.nix
        ++ cfg.modules;
      };

      profiles.allowedUnfree =
        optionals cfg.communication.enable [
          "discord"
          "slack"
        ]
        ++ optionals cfg.productivity.enable [ "obsidian" ];
    })
  ];
}
